"""mining.tree.frameworks: manifests parsed as data, matched exactly against the registry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mining.records import Detection
from mining.tree.frameworks import CATEGORIES, REGISTRY, detect, detect_all, is_manifest

Found = list[tuple[str, str, str]]  # (name, category, ecosystem)


def _found(path: str, content: str | bytes) -> Found:
    raw = content.encode() if isinstance(content, str) else content
    detections = detect(path, raw)
    assert all(d.source == path for d in detections)
    return [(d.name, d.category, d.ecosystem) for d in detections]


def test_registry_size_names_and_categories() -> None:
    assert len(REGISTRY) >= 80
    names = [e.name for e in REGISTRY]
    assert len(names) == len(set(names))
    assert {e.category for e in REGISTRY} == CATEGORIES
    ecosystems = {"python", "javascript", "java", "go", "rust", "ruby", "php", "dotnet", "any"}
    assert {e.ecosystem for e in REGISTRY} <= ecosystems


PACKAGE_JSON = """{
  "name": "web",
  "dependencies": {"react": "^18.2.0", "next": "14.1.0", "@prisma/client": "5", "axios": "1"},
  "devDependencies": {"typescript": "5.4", "vitest": "1", "@testing-library/react": "14",
                      "eslint": "8", "prettier": "3"},
  "peerDependencies": {"@angular/core": "17"},
  "jest": {"testEnvironment": "node"}
}"""

PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "svc"
dependencies = [
  "FastAPI[all]>=0.110",
  "SQLAlchemy[asyncio] ~= 2.0",
  "psycopg[binary]>=3; python_version >= '3.11'",
  "pydantic",
]
[project.optional-dependencies]
ml = ["numpy>=1.26", "Scikit_Learn"]

[dependency-groups]
dev = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]

[tool.ruff]
line-length = 100
[tool.mypy]
strict = true
[tool.black]
[tool.pytest.ini_options]
addopts = "-q"
"""

POETRY = """
[tool.poetry]
name = "x"
[tool.poetry.dependencies]
python = "^3.11"
Django = "^5.0"
celery = {version = "^5", extras = ["redis"]}
[tool.poetry.group.dev.dependencies]
pytest = "^8"
"""

REQUIREMENTS = """\
# production
-r base.txt
--index-url https://pypi.example/simple
Flask==3.0.0  # the web app
requests[socks] >= 2.31 ; python_version >= "3.8"
-e git+https://github.com/x/y.git#egg=django
boto3 @ https://example.invalid/boto3.whl
torch==2.2 \\
    --hash=sha256:abcdef
./local/package
"""

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.2.0</version>
  </parent>
  <dependencies>
    <dependency>
      <groupId>org.postgresql</groupId><artifactId>postgresql</artifactId>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId>
      <scope>test</scope>
    </dependency>
  </dependencies>
</project>
"""

GRADLE = """
plugins {
    id 'java'
    id 'org.springframework.boot' version '3.2.0'
    id 'com.android.application'
}
dependencies {
    implementation 'org.springframework.boot:spring-boot-starter-web'
    implementation group: 'com.fasterxml.jackson.core', name: 'jackson-databind', version: '2.17'
    testImplementation "org.mockito:mockito-core:5.0.0"
    // implementation 'org.hibernate:hibernate-core:6' is commented out
    /* implementation 'org.postgresql:postgresql:42'
       is too */
}
"""

GRADLE_KTS = """
dependencies {
    implementation(platform("org.junit:junit-bom:5.10.0"))
    implementation("software.amazon.awssdk:s3:2.25.0")
}
"""

GO_MOD = """module example.com/svc

go 1.22

require github.com/labstack/echo/v4 v4.11.4

require (
\tgithub.com/stretchr/testify v1.9.0
\tgorm.io/gorm v1.25.7
\tgithub.com/aws/aws-sdk-go-v2/service/s3 v1.50.0
)

replace github.com/gin-gonic/gin => ../gin
"""

CARGO = """
[package]
name = "svc"
version = "0.1.0"

[dependencies]
axum = "0.7"
tokio = { version = "1", features = ["full"] }
json = { package = "serde", version = "1" }

[dev-dependencies]
sqlx = "0.7"

[target.'cfg(unix)'.dependencies]
aws_sdk_s3 = "1"

[lints.clippy]
pedantic = "warn"
"""

GEMFILE = """source "https://rubygems.org"
ruby "3.3.0"
gem "rails", "~> 7.1"
gem 'pg'
group :test do
  gem "rspec-rails"
end
# gem "sinatra"
"""

COMPOSER = """{
  "require": {"php": "^8.2", "ext-json": "*", "laravel/framework": "^11.0"},
  "require-dev": {"phpunit/phpunit": "^11"}
}"""

CSPROJ = """<Project Sdk="Microsoft.NET.Sdk.Web">
  <ItemGroup>
    <PackageReference Include="Microsoft.EntityFrameworkCore.SqlServer" Version="8.0.0" />
    <PackageReference Include="xunit" Version="2.7.0" />
  </ItemGroup>
</Project>
"""

COMPOSE = """
services:
  api:
    build: .
  db:
    image: postgres:16-alpine
  cache:
    image: docker.io/library/redis:7@sha256:0123
  queue:
    image: rabbitmq:3-management
  search:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.12.0
  proxy:
    image: nginx
"""

TERRAFORM = """
terraform {
  required_providers {
    google = {
      source  = "hashicorp/google"
    }
  }
}
provider "aws" {
  region = "eu-west-1"
}
# provider "azurerm" {}
resource "aws_s3_bucket" "b" {}
"""

K8S = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
---
apiVersion: v1
kind: Service
metadata:
  name: web
"""

TSCONFIG = """{
  // comments, trailing commas and URLs inside strings are all JSONC
  "compilerOptions": {
    "strict": true,
    "baseUrl": "http://example.com//x", /* a comment */
    "paths": {"@/*": ["src/*",],},
  },
}"""

PRE_COMMIT = """
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.4.0
    hooks:
      - id: ruff
      - id: ruff-format
  - repo: https://github.com/pre-commit/mirrors-mypy
    hooks:
      - id: mypy
"""

SETUP_CFG = """
[metadata]
name = x
[options]
install_requires =
    click>=8
    pandas ; python_version > "3.9"
[options.extras_require]
test = hypothesis
[flake8]
max-line-length = 100
[mypy-some.module]
ignore_missing_imports = True
[tool:pytest]
addopts = -q
"""

SETUP_PY = """
from setuptools import setup
setup(
    name="x",
    install_requires=["requests>=2", "numpy"],
    extras_require={"dev": ["pytest"]},
)
"""


CASES: list[tuple[str, str, Found]] = [
    (
        "web/package.json",
        PACKAGE_JSON,
        [
            ("Prisma", "database", "javascript"),
            ("Angular", "framework", "javascript"),
            ("Next.js", "framework", "javascript"),
            ("React", "framework", "javascript"),
            ("Axios", "library", "javascript"),
            ("ESLint", "linter", "javascript"),
            ("Jest", "testing", "javascript"),
            ("Testing Library", "testing", "javascript"),
            ("Vitest", "testing", "javascript"),
            ("Prettier", "formatter", "javascript"),
            ("TypeScript", "type_checker", "javascript"),
        ],
    ),
    (
        "pyproject.toml",
        PYPROJECT,
        [
            ("Hatch", "build", "python"),
            ("NumPy", "data_ml", "python"),
            ("scikit-learn", "data_ml", "python"),
            ("PostgreSQL", "database", "any"),
            ("SQLAlchemy", "database", "python"),
            ("Black", "formatter", "python"),
            ("FastAPI", "framework", "python"),
            ("Pydantic", "library", "python"),
            ("Ruff", "linter", "python"),
            ("pytest", "testing", "python"),
            ("mypy", "type_checker", "python"),
        ],
    ),
    (
        "backend/pyproject.toml",
        POETRY,
        [
            ("Poetry", "build", "python"),
            ("Django", "framework", "python"),
            ("Celery", "library", "python"),
            ("pytest", "testing", "python"),
        ],
    ),
    (
        "requirements/prod.txt",
        REQUIREMENTS,
        [
            ("AWS", "cloud", "any"),
            ("PyTorch", "data_ml", "python"),
            ("Flask", "framework", "python"),
            ("Requests", "library", "python"),
        ],
    ),
    (
        "Pipfile",
        '[packages]\nflask = "*"\n[dev-packages]\npytest = "*"\n',
        [
            ("Pipenv", "build", "python"),
            ("Flask", "framework", "python"),
            ("pytest", "testing", "python"),
        ],
    ),
    (
        "setup.cfg",
        SETUP_CFG,
        [
            ("setuptools", "build", "python"),
            ("pandas", "data_ml", "python"),
            ("Click", "library", "python"),
            ("Flake8", "linter", "python"),
            ("Hypothesis", "testing", "python"),
            ("pytest", "testing", "python"),
            ("mypy", "type_checker", "python"),
        ],
    ),
    (
        "setup.py",
        SETUP_PY,
        [
            ("setuptools", "build", "python"),
            ("NumPy", "data_ml", "python"),
            ("Requests", "library", "python"),
            ("pytest", "testing", "python"),
        ],
    ),
    (
        "pom.xml",
        POM,
        [
            ("Maven", "build", "java"),
            ("PostgreSQL", "database", "any"),
            ("Spring Boot", "framework", "java"),
            ("JUnit", "testing", "java"),
        ],
    ),
    (
        "app/build.gradle",
        GRADLE,
        [
            ("Gradle", "build", "java"),
            ("Android", "framework", "java"),
            ("Spring Boot", "framework", "java"),
            ("Jackson", "library", "java"),
            ("Mockito", "testing", "java"),
        ],
    ),
    (
        "build.gradle.kts",
        GRADLE_KTS,
        [("Gradle", "build", "java"), ("AWS", "cloud", "any"), ("JUnit", "testing", "java")],
    ),
    (
        "go.mod",
        GO_MOD,
        [
            ("AWS", "cloud", "any"),
            ("GORM", "database", "go"),
            ("Echo", "framework", "go"),
            ("Testify", "testing", "go"),
        ],
    ),
    (
        "Cargo.toml",
        CARGO,
        [
            ("Cargo", "build", "rust"),
            ("AWS", "cloud", "any"),
            ("SQLx", "database", "rust"),
            ("Axum", "framework", "rust"),
            ("Serde", "library", "rust"),
            ("Tokio", "library", "rust"),
            ("Clippy", "linter", "rust"),
        ],
    ),
    (
        "Gemfile",
        GEMFILE,
        [
            ("Bundler", "build", "ruby"),
            ("PostgreSQL", "database", "any"),
            ("Ruby on Rails", "framework", "ruby"),
            ("RSpec", "testing", "ruby"),
        ],
    ),
    (
        "composer.json",
        COMPOSER,
        [
            ("Composer", "build", "php"),
            ("Laravel", "framework", "php"),
            ("PHPUnit", "testing", "php"),
        ],
    ),
    (
        "src/Api/Api.csproj",
        CSPROJ,
        [
            ("Entity Framework Core", "database", "dotnet"),
            ("ASP.NET Core", "framework", "dotnet"),
            ("xUnit", "testing", "dotnet"),
        ],
    ),
    (
        "Dockerfile",
        "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n",
        [("Docker", "container", "any")],
    ),
    ("docker/api.Dockerfile", "from node:20 AS build\n", [("Docker", "container", "any")]),
    ("Dockerfile.dev", "ARG V=1\nFROM postgres:$V\n", [("Docker", "container", "any")]),
    (
        "docker-compose.yml",
        COMPOSE,
        [
            ("Docker Compose", "container", "any"),
            ("Elasticsearch", "database", "any"),
            ("PostgreSQL", "database", "any"),
            ("Redis", "database", "any"),
            ("RabbitMQ", "messaging", "any"),
        ],
    ),
    (
        "compose.prod.yaml",
        "services:\n  db:\n    image: mongo:7\n",
        [
            ("Docker Compose", "container", "any"),
            ("MongoDB", "database", "any"),
        ],
    ),
    (
        ".github/workflows/ci.yml",
        "on: [push]\njobs:\n  t:\n    runs-on: x\n",
        [("GitHub Actions", "ci", "any")],
    ),
    (".github/workflows/release.yaml", "name: r\non: push\n", [("GitHub Actions", "ci", "any")]),
    (".gitlab-ci.yml", "stages: [test]\n", [("GitLab CI", "ci", "any")]),
    (".circleci/config.yml", "version: 2.1\n", [("CircleCI", "ci", "any")]),
    ("Jenkinsfile", "pipeline { agent any }\n", [("Jenkins", "ci", "any")]),
    ("azure-pipelines.yml", "trigger: [main]\n", [("Azure Pipelines", "ci", "any")]),
    (".travis.yml", "language: python\n", [("Travis CI", "ci", "any")]),
    ("bitbucket-pipelines.yml", "pipelines: {}\n", [("Bitbucket Pipelines", "ci", "any")]),
    (
        "infra/main.tf",
        TERRAFORM,
        [
            ("AWS", "cloud", "any"),
            ("Google Cloud", "cloud", "any"),
            ("Terraform", "infrastructure", "any"),
        ],
    ),
    ("deploy/k8s/web.yaml", K8S, [("Kubernetes", "infrastructure", "any")]),
    (
        "manifests/svc.yml",
        "apiVersion: v1\nkind: Service\n",
        [("Kubernetes", "infrastructure", "any")],
    ),
    ("kustomization.yaml", "resources: [web.yaml]\n", [("Kubernetes", "infrastructure", "any")]),
    (
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        [("Helm", "infrastructure", "any"), ("Kubernetes", "infrastructure", "any")],
    ),
    (
        "web/tsconfig.json",
        TSCONFIG,
        [
            ("TypeScript", "type_checker", "javascript"),
            ("TypeScript (strict)", "type_checker", "javascript"),
        ],
    ),
    (
        "tsconfig.build.json",
        '{"compilerOptions": {"strict": false}}',
        [
            ("TypeScript", "type_checker", "javascript"),
        ],
    ),
    (
        ".pre-commit-config.yaml",
        PRE_COMMIT,
        [
            ("Ruff", "linter", "python"),
            ("pre-commit", "linter", "any"),
            ("mypy", "type_checker", "python"),
        ],
    ),
    (
        ".eslintrc.json",
        '{"extends": "eslint:recommended", // x\n}',
        [("ESLint", "linter", "javascript")],
    ),
    (".eslintrc", "extends: eslint:recommended\n", [("ESLint", "linter", "javascript")]),
    ("eslint.config.mjs", "export default [];\n", [("ESLint", "linter", "javascript")]),
    (".prettierrc", '{"semi": false}', [("Prettier", "formatter", "javascript")]),
    (".prettierrc.yaml", "semi: false\n", [("Prettier", "formatter", "javascript")]),
    ("jest.config.ts", "export default {};\n", [("Jest", "testing", "javascript")]),
    ("vitest.config.mts", "export default {};\n", [("Vitest", "testing", "javascript")]),
    ("vite.config.js", "export default {};\n", [("Vite", "build", "javascript")]),
    ("webpack.config.js", "module.exports = {};\n", [("Webpack", "build", "javascript")]),
    ("mypy.ini", "[mypy]\nstrict = True\n", [("mypy", "type_checker", "python")]),
    (".flake8", "[flake8]\nmax-line-length = 100\n", [("Flake8", "linter", "python")]),
    ("ruff.toml", "line-length = 100\n", [("Ruff", "linter", "python")]),
    ("pytest.ini", "[pytest]\naddopts = -q\n", [("pytest", "testing", "python")]),
    (
        "tox.ini",
        "[tox]\nenvlist = py312\n[testenv]\n[flake8]\n",
        [
            ("Flake8", "linter", "python"),
            ("tox", "testing", "python"),
        ],
    ),
    ("tox.ini", "[flake8]\nmax-line-length = 100\n", [("Flake8", "linter", "python")]),
    (".golangci.yml", "linters:\n  enable: [govet]\n", [("golangci-lint", "linter", "go")]),
    (".rubocop.yml", "AllCops:\n  NewCops: enable\n", [("RuboCop", "linter", "ruby")]),
    ("rustfmt.toml", 'edition = "2021"\n', [("rustfmt", "formatter", "rust")]),
    ("conftest.py", "import pytest\n", [("pytest", "testing", "python")]),
]


@pytest.mark.parametrize(("path", "content", "expected"), CASES, ids=[c[0] for c in CASES])
def test_detect(path: str, content: str, expected: Found) -> None:
    assert is_manifest(path)
    assert _found(path, content) == sorted(expected, key=lambda f: (f[1], f[0]))


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("package.json", '{"dependencies": {"preact": "10"}}'),  # Preact, never React
        ("package.json", '{"dependencies": {"reactive": "1", "react-router": "6", "vue-x": "1"}}'),
        ("package.json", '{"dependencies": {"@angular/cli": "1", "nextjs": "1"}}'),
        ("requirements.txt", "flask-cors==4\nflask_login\ndjangorestframework-stubs\n"),
        ("requirements.txt", "fastapi-users\nstarlette-context\n"),
        ("go.mod", "module x\nrequire github.com/gin-gonic/gin-contrib v1\n"),
        ("Gemfile", 'gem "rails-html-sanitizer"\n# gem "rails"\n'),
    ],
)
def test_lookalike_packages_are_not_the_framework(path: str, content: str) -> None:
    names = {name for name, _, _ in _found(path, content)}
    assert not names & {"React", "Vue", "Angular", "Next.js", "Flask", "Django", "FastAPI"}
    assert not names & {"Starlette", "Gin", "Ruby on Rails"}


def test_preact_is_preact_and_starlette_alone_is_starlette() -> None:
    assert _found("package.json", '{"dependencies": {"preact": "10"}}') == [
        ("Preact", "framework", "javascript")
    ]
    assert _found("requirements.txt", "starlette\nflask-cors\n") == [
        ("Starlette", "framework", "python")
    ]


def test_react_dom_alone_counts_as_react() -> None:
    assert _found("package.json", '{"dependencies": {"react-dom": "18"}}') == [
        ("React", "framework", "javascript")
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Django", "Django"),
        ("django", "Django"),
        ("SCIKIT.learn", "scikit-learn"),
        ("scikit__learn", "scikit-learn"),
        ("Flask_SQLAlchemy", None),
        ("psycopg2-binary", "PostgreSQL"),
    ],
)
def test_python_names_are_pep503_normalised(name: str, expected: str | None) -> None:
    names = [n for n, _, _ in _found("requirements.txt", f"{name}>=1\n")]
    assert names == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("package.json", b'{"dependencies": {"react": '),
        ("package.json", b"[1, 2]"),
        ("package.json", b"\xff\xfe not utf-8"),
        ("pyproject.toml", b"[project\ndependencies = ["),
        ("Pipfile", b"[packages\n"),
        ("Cargo.toml", b'[dependencies]\ntokio = "1"\n'),  # neither [package] nor [workspace]
        ("pom.xml", b"<project><dependencies>"),
        ("pom.xml", b"<html/>"),
        (
            "pom.xml",
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
            b"<project><dependencies><dependency><groupId>&lol;</groupId>"
            b"<artifactId>x</artifactId></dependency></dependencies></project>",
        ),
        ("App.csproj", b"<Project><ItemGroup>"),
        ("go.mod", b"require github.com/gin-gonic/gin v1\n"),  # no module directive
        ("docker-compose.yml", b"services: [a, b]\n"),
        ("docker-compose.yml", b"services:\n  db: {image: postgres\n"),
        ("Dockerfile", b"RUN echo no base image\n"),
        (".github/workflows/ci.yml", b"- just\n- a list\n"),
        (".github/workflows/ci.yml", b"on: [push\n"),
        ("k8s/x.yaml", b"apiVersion: v1\nkind: [unclosed\n"),
        ("k8s/values.yaml", b"replicas: 3\n"),  # YAML, but no apiVersion+kind
        ("charts/x/Chart.yaml", b"description: no name\n"),
        ("tsconfig.json", b'{"compilerOptions": {"strict": true}'),
        ("tsconfig.json", b'{"a": "unterminated}'),
        ("tsconfig.json", b"{/* unterminated comment }"),
        ("setup.py", b"setup(install_requires=['flask'\n"),
        ("setup.cfg", b"install_requires = flask\n"),  # no section header
        ("ruff.toml", b"line-length = \n"),
        (".eslintrc.json", b"{,}"),
        ("package.json", b"[" * 100_000 + b"]" * 100_000),  # deeper than the recursion limit
        ("pyproject.toml", b"x = " + b"[" * 100_000 + b"]" * 100_000),
        (".gitlab-ci.yml", b"a: " + b"[" * 50_000 + b"]" * 50_000),
    ],
)
def test_malformed_content_gives_nothing(path: str, content: bytes) -> None:
    assert detect(path, content) == ()


@pytest.mark.parametrize(
    "path",
    [
        "package.json",
        "packages/web/package.json",
        "services/api/pyproject.toml",
        "requirements.txt",
        "requirements-dev.txt",
        "dev-requirements.txt",
        "requirements/test.txt",
        "requirements/base.in",
        "Pipfile",
        "setup.cfg",
        "setup.py",
        "backend/pom.xml",
        "app/build.gradle",
        "app/build.gradle.kts",
        "go.mod",
        "crates/core/Cargo.toml",
        "Gemfile",
        "composer.json",
        "src/App/App.csproj",
        "Dockerfile",
        "docker/Dockerfile.prod",
        "api.dockerfile",
        "docker-compose.yml",
        "docker-compose.override.yaml",
        "compose.yaml",
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
        ".circleci/config.yml",
        "Jenkinsfile",
        "azure-pipelines.yml",
        ".travis.yml",
        "bitbucket-pipelines.yml",
        "infra/main.tf",
        "k8s/deployment.yaml",
        "deploy/kubernetes/svc.yml",
        "charts/web/Chart.yaml",
        ".eslintrc.cjs",
        "eslint.config.js",
        ".prettierrc.json",
        "tsconfig.json",
        "tsconfig.app.json",
        "mypy.ini",
        ".flake8",
        "ruff.toml",
        ".pre-commit-config.yaml",
        ".golangci.yml",
        ".rubocop.yml",
        "rustfmt.toml",
        "jest.config.js",
        "vitest.config.ts",
        "pytest.ini",
        "tox.ini",
    ],
)
def test_is_manifest(path: str) -> None:
    assert is_manifest(path)


@pytest.mark.parametrize(
    "path",
    [
        "node_modules/react/package.json",
        "web/node_modules/x/package.json",
        "vendor/github.com/x/go.mod",
        ".venv/lib/python3.12/site-packages/x/pyproject.toml",
        "dist/package.json",
        "package-lock.json",
        "poetry.lock",
        "src/app.py",
        "config/settings.yaml",  # YAML outside deployment directories is not read
        ".github/dependabot.yml",
        "workflows/ci.yml",  # not under .github/
        "README.md",
        "mypy.py",
        "my-compose.txt",
    ],
)
def test_is_not_manifest(path: str) -> None:
    assert not is_manifest(path)
    assert detect(path, b'{"dependencies": {"react": "1"}}') == ()


def test_detect_all_dedupes_by_shallowest_path_and_sorts_by_category_then_name() -> None:
    files = {
        "web/package.json": b'{"dependencies": {"react": "18"}, "devDependencies": {"jest": "29"}}',
        "admin/package.json": b'{"dependencies": {"react": "18"}}',
        "node_modules/vue/package.json": b'{"dependencies": {"vue": "3"}}',
        "api/requirements.txt": b"django\npytest\n",
        ".github/workflows/ci.yml": b"on: push\n",
        "bad/package.json": b"{",
        "src/main.py": b"import react",
    }
    assert detect_all(files) == (
        Detection("GitHub Actions", "ci", "any", ".github/workflows/ci.yml"),
        Detection("Django", "framework", "python", "api/requirements.txt"),
        Detection("React", "framework", "javascript", "admin/package.json"),
        Detection("Jest", "testing", "javascript", "web/package.json"),
        Detection("pytest", "testing", "python", "api/requirements.txt"),
    )


def test_detect_all_of_nothing() -> None:
    assert detect_all({}) == ()


def test_every_tool_a_reader_can_name_is_in_the_registry() -> None:
    from mining.tree import frameworks, manifests

    named = {
        *frameworks._CONFIG_STEMS.values(),
        *(tool for _, tool in frameworks._BARE.values()),
        *manifests._PYPROJECT_TOOLS.values(),
        *manifests._INI_SECTIONS.values(),
        *manifests._PRE_COMMIT_HOOKS.values(),
        *manifests._PACKAGE_JSON_TOOLS.values(),
        *manifests._TERRAFORM_PROVIDERS.values(),
    }
    assert named <= {entry.name for entry in REGISTRY}


@given(content=st.binary(max_size=300))
@pytest.mark.parametrize("path", ["package.json", "pyproject.toml", "pom.xml", "tsconfig.json"])
def test_arbitrary_bytes_never_raise(path: str, content: bytes) -> None:
    assert isinstance(detect(path, content), tuple)


@given(content=st.text(alphabet='{}[],:"/*\\ \nab1', max_size=200))
def test_arbitrary_jsonc_never_raises(content: str) -> None:
    assert isinstance(detect("tsconfig.json", content.encode()), tuple)


def test_detect_all_prefers_the_root_manifest_over_an_example() -> None:
    files = {
        "examples/celery/pyproject.toml": b'[project]\ndependencies = ["click", "flask"]\n',
        "pyproject.toml": b'[project]\ndependencies = ["click", "werkzeug", "jinja2"]\n',
    }
    assert detect_all(files) == (
        Detection("Flask", "framework", "python", "examples/celery/pyproject.toml"),
        Detection("Click", "library", "python", "pyproject.toml"),
        Detection("Jinja", "library", "python", "pyproject.toml"),
        Detection("Werkzeug", "library", "python", "pyproject.toml"),
    )


def test_http_stacks_async_runtimes_and_doc_builders_are_found() -> None:
    """The direct dependencies that matter (issue 9): requests' urllib3, an async runtime,
    a template engine and the documentation builder."""
    pyproject = (
        '[project]\nname = "x"\ndependencies = ["urllib3>=2", "anyio", "trio", "mako"]\n'
        '[dependency-groups]\ndocs = ["sphinx<9"]\n'
    )
    assert sorted(n for n, _, _ in _found("pyproject.toml", pyproject)) == [
        "AnyIO",
        "Mako",
        "Sphinx",
        "Trio",
        "urllib3",
    ]


ECOSYSTEM_CASES = [
    # go.mod: `// indirect` requirements are a dependency's, not the project's
    (
        "go.mod",
        "module x\n\nrequire (\n\tgithub.com/stretchr/testify v1.9.0\n"
        "\tgo.uber.org/mock v0.6.0 // indirect\n)\n"
        "require github.com/gorilla/mux v1.8.1 // indirect\n",
        [("Testify", "testing", "go")],
    ),
    (
        "rack.gemspec",
        "Gem::Specification.new do |s|\n  s.add_dependency 'tilt', '~> 2.0'\n"
        '  s.add_development_dependency("minitest", "> 5")\n  # s.add_dependency "rails"\nend\n',
        [("Minitest", "testing", "ruby"), ("Tilt", "library", "ruby")],
    ),
    (
        "gradle/libs.versions.toml",
        '[libraries]\nokhttp = { module = "com.squareup.okhttp3:okhttp", version = "4" }\n'
        'junit = "junit:junit:4.13.2"\n'
        'moshi = { group = "com.squareup.moshi", name = "moshi", version = "1" }\n'
        '[plugins]\nspotless = { id = "com.diffplug.spotless", version = "6" }\n',
        [
            ("Gradle", "build", "java"),
            ("Spotless", "formatter", "java"),
            ("Moshi", "library", "java"),
            ("OkHttp", "library", "java"),
            ("JUnit", "testing", "java"),
        ],
    ),
    (
        "CMakeLists.txt",
        "cmake_minimum_required(VERSION 3.14)\n# find_package(Boost)\n"
        "find_package(Catch2 3 REQUIRED)\nFetchContent_Declare(\n  fmt\n  GIT_TAG 10.2.1)\n",
        [("CMake", "build", "any"), ("fmt", "library", "any"), ("Catch2", "testing", "any")],
    ),
    (
        "Directory.Packages.props",
        '<Project><ItemGroup><PackageVersion Include="xunit" Version="2.9" />'
        '<PackageVersion Include="Newtonsoft.Json" Version="13" /></ItemGroup></Project>',
        [("Json.NET", "library", "dotnet"), ("xUnit", "testing", "dotnet")],
    ),
    # a compiled lock (pip-compile, uv pip compile): only what an input file asked for
    (
        "requirements.txt",
        "flask==3.0 \\\n    --hash=sha256:abc\n    # via -r requirements.in\n"
        "click==8.1\n    # via flask\nrequests==2.32\n    # via\n    #   -r requirements.in\n"
        "    #   sphinx\nurllib3==2.2\n    # via requests\n",
        [("Flask", "framework", "python"), ("Requests", "library", "python")],
    ),
    # an extra named after a package installs it
    (
        "requirements.txt",
        "celery[redis, msgpack]>=5\n",
        [("Celery", "library", "python"), ("Redis", "database", "any")],
    ),
    (".clang-format", "BasedOnStyle: Google\n", [("clang-format", "formatter", "any")]),
    ("meson.build", "project('x', 'cpp')\n", [("Meson", "build", "any")]),
    (
        "package.json",
        '{"devDependencies": {"supertest": "7", "sinon": "17", "nyc": "15", "ejs": "3",'
        ' "hbs": "4", "standard": "17"}}',
        [
            ("EJS", "library", "javascript"),
            ("Handlebars", "library", "any"),
            ("JavaScript Standard Style", "linter", "javascript"),
            ("Istanbul", "testing", "javascript"),
            ("Sinon", "testing", "javascript"),
            ("Supertest", "testing", "javascript"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("path", "content", "expected"), ECOSYSTEM_CASES, ids=[c[0] for c in ECOSYSTEM_CASES]
)
def test_ecosystem_manifests(path: str, content: str, expected: Found) -> None:
    assert is_manifest(path)
    assert _found(path, content) == sorted(expected, key=lambda f: (f[1], f[0]))
