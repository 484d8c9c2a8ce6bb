"""Frameworks, libraries and tools a project uses, from its manifests and configuration files.

`REGISTRY` is the whole table: each `Entry` names a framework, library or tool, its category
(one of `CATEGORIES`), the ecosystem reported on its detections, and the exact package names
that imply it, per namespace. `mining.manifests` reads each file as data; this module matches
what it declares against the table.

Categories: framework (web, UI, mobile), library, database (servers, drivers, ORMs,
migrations), messaging, testing, linter (pre-commit counts here: it exists to run linters),
formatter, type_checker (``TypeScript`` comes from the ``typescript`` package or a
tsconfig.json; ``TypeScript (strict)`` is a separate entry, reported when a tsconfig sets
``compilerOptions.strict: true``), build (bundlers, build tools, packaging and package
managers), ci, container, infrastructure, cloud, data_ml.

Namespaces and matching - always exact, after the ecosystem's own normalisation:

* python: PEP 503 (lower case; runs of ``-``, ``_`` and ``.`` are one ``-``).
* javascript: the npm name as written, scopes included (``@angular/core``).
* java: ``groupId:artifactId``. gradle-plugin: a Gradle plugin id.
* go: the module path, case kept, without a major-version suffix (``/v4``).
* rust: lower case, ``_`` and ``-`` equivalent (as crates.io treats them).
* ruby, php, dotnet: lower case (RubyGems, Packagist and NuGet names are case-insensitive).
* image: a container image name without registry host, ``library/`` and tag.

A name ending in ``*`` in the table is an explicit prefix rule (``spring-boot-starter-*``).
So ``preact`` is Preact, not React; ``flask-cors`` alone is not Flask; ``starlette`` alone is
Starlette, not FastAPI; ``reactive`` is nothing. React lists both ``react`` and ``react-dom``
(the latter cannot be used without the former). ``next`` is Next.js only: a Next.js app
declares ``react`` too, which yields React on its own.

Which files are read (`is_manifest`), anywhere in the tree: package.json, pyproject.toml,
requirements*.txt / *requirements.txt / requirements/*.txt|in, Pipfile, setup.cfg, setup.py,
tox.ini, pom.xml, build.gradle(.kts), go.mod, Cargo.toml, Gemfile, composer.json,
*.csproj/*.fsproj/*.vbproj, Dockerfile / Dockerfile.* / *.dockerfile / Containerfile,
(docker-)compose*.y(a)ml, CI files (.github/workflows/*.y(a)ml, .gitlab-ci.yml,
.circleci/config.yml, Jenkinsfile, azure-pipelines.yml, .travis.yml, bitbucket-pipelines.yml,
appveyor.yml), *.tf, Chart.yaml, kustomization.yaml, tool configuration (tsconfig*.json,
eslint/prettier/jest/vitest/vite/webpack/... configs, mypy.ini, .flake8, ruff.toml, pytest.ini,
.pre-commit-config.yaml, .golangci.*, .rubocop.yml, rustfmt.toml, conftest.py ...). Kubernetes
candidates are the YAML files below a directory named k8s, kubernetes, kube, manifests,
deploy(ment)(s), helm, charts, kustomize or overlays: reading every YAML file of a tree would
cost too much, and elsewhere apiVersion+kind is rare.

`detect` reports each entry once per file, sorted by (category, name); `detect_all` keeps the
first file (in sorted path order) that reported an entry. Paths excluded by
`mining.languages.is_excluded` (node_modules/, vendor/, dist/ ...) are never manifests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from mining import manifests
from mining.languages import is_excluded
from mining.manifests import (
    Parser,
    check_ini,
    check_json_or_yaml,
    check_jsonc,
    check_present,
    check_toml,
    check_xml,
    check_yaml,
    check_yaml_mapping,
    read_cargo_toml,
    read_compose,
    read_composer_json,
    read_dockerfile,
    read_gemfile,
    read_go_mod,
    read_gradle,
    read_helm_chart,
    read_ini_sections,
    read_kubernetes,
    read_kustomization,
    read_msbuild,
    read_package_json,
    read_pipfile,
    read_pom,
    read_pre_commit,
    read_pyproject,
    read_requirements,
    read_setup_py,
    read_terraform,
    read_tsconfig,
    tool_reader,
)
from mining.records import Detection

__all__ = ["CATEGORIES", "REGISTRY", "Entry", "detect", "detect_all", "is_manifest"]


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # "React", "GitHub Actions"
    category: str  # one of CATEGORIES
    ecosystem: str  # "python", "javascript", ..., or "any"
    packages: Mapping[str, tuple[str, ...]]  # namespace -> names; a trailing "*" is a prefix


FRAMEWORK, LIBRARY, DATABASE, MESSAGING = "framework", "library", "database", "messaging"
TESTING, LINTER, FORMATTER, TYPE_CHECKER = "testing", "linter", "formatter", "type_checker"
BUILD, CI, CONTAINER = "build", "ci", "container"
INFRASTRUCTURE, CLOUD, DATA_ML = "infrastructure", "cloud", "data_ml"
CATEGORIES = frozenset(
    {FRAMEWORK, LIBRARY, DATABASE, MESSAGING, TESTING, LINTER, FORMATTER, TYPE_CHECKER}
    | {BUILD, CI, CONTAINER, INFRASTRUCTURE, CLOUD, DATA_ML}
)

_PY, _JS, _JAVA, _GO, _RUST = "python", "javascript", "java", "go", "rust"
_RUBY, _PHP, _DOTNET, _ANY = "ruby", "php", "dotnet", "any"


def _e(name: str, category: str, ecosystem: str, **packages: str) -> Entry:
    """One registry row; keyword arguments are namespaces with space-separated names."""
    return Entry(
        name,
        category,
        ecosystem,
        {ns.replace("_", "-"): tuple(names.split()) for ns, names in packages.items()},
    )


# fmt: off
REGISTRY: tuple[Entry, ...] = (
    # -- web, UI and mobile frameworks
    _e("Django", FRAMEWORK, _PY, python="django"),
    _e("Flask", FRAMEWORK, _PY, python="flask"),
    _e("FastAPI", FRAMEWORK, _PY, python="fastapi"),
    _e("Starlette", FRAMEWORK, _PY, python="starlette"),
    _e("Tornado", FRAMEWORK, _PY, python="tornado"),
    _e("Pyramid", FRAMEWORK, _PY, python="pyramid"),
    _e("Sanic", FRAMEWORK, _PY, python="sanic"),
    _e("Litestar", FRAMEWORK, _PY, python="litestar"),
    _e("Streamlit", FRAMEWORK, _PY, python="streamlit"),
    _e("Scrapy", FRAMEWORK, _PY, python="scrapy"),
    _e("React", FRAMEWORK, _JS, javascript="react react-dom"),
    _e("Preact", FRAMEWORK, _JS, javascript="preact"),
    _e("Vue", FRAMEWORK, _JS, javascript="vue"),
    _e("Angular", FRAMEWORK, _JS, javascript="@angular/core"),
    _e("Svelte", FRAMEWORK, _JS, javascript="svelte"),
    _e("SvelteKit", FRAMEWORK, _JS, javascript="@sveltejs/kit"),
    _e("Next.js", FRAMEWORK, _JS, javascript="next"),
    _e("Nuxt", FRAMEWORK, _JS, javascript="nuxt"),
    _e("Remix", FRAMEWORK, _JS, javascript="@remix-run/react @remix-run/node"),
    _e("Gatsby", FRAMEWORK, _JS, javascript="gatsby"),
    _e("Astro", FRAMEWORK, _JS, javascript="astro"),
    _e("SolidJS", FRAMEWORK, _JS, javascript="solid-js"),
    _e("Express", FRAMEWORK, _JS, javascript="express"),
    _e("NestJS", FRAMEWORK, _JS, javascript="@nestjs/core"),
    _e("Koa", FRAMEWORK, _JS, javascript="koa"),
    _e("Fastify", FRAMEWORK, _JS, javascript="fastify"),
    _e("Electron", FRAMEWORK, _JS, javascript="electron"),
    _e("React Native", FRAMEWORK, _JS, javascript="react-native"),
    _e("Tailwind CSS", FRAMEWORK, _JS, javascript="tailwindcss"),
    _e("Bootstrap", FRAMEWORK, _JS, javascript="bootstrap"),
    _e("Spring Boot", FRAMEWORK, _JAVA,
       java="org.springframework.boot:spring-boot org.springframework.boot:spring-boot-starter*",
       gradle_plugin="org.springframework.boot"),
    _e("Spring Framework", FRAMEWORK, _JAVA, java="org.springframework:spring-*"),
    _e("Quarkus", FRAMEWORK, _JAVA, java="io.quarkus:quarkus-*", gradle_plugin="io.quarkus"),
    _e("Micronaut", FRAMEWORK, _JAVA, java="io.micronaut:micronaut-*"),
    _e("Android", FRAMEWORK, _JAVA, gradle_plugin="com.android.application com.android.library"),
    _e("Gin", FRAMEWORK, _GO, go="github.com/gin-gonic/gin"),
    _e("Echo", FRAMEWORK, _GO, go="github.com/labstack/echo"),
    _e("Fiber", FRAMEWORK, _GO, go="github.com/gofiber/fiber"),
    _e("Chi", FRAMEWORK, _GO, go="github.com/go-chi/chi"),
    _e("Gorilla Mux", FRAMEWORK, _GO, go="github.com/gorilla/mux"),
    _e("Actix Web", FRAMEWORK, _RUST, rust="actix-web"),
    _e("Axum", FRAMEWORK, _RUST, rust="axum"),
    _e("Rocket", FRAMEWORK, _RUST, rust="rocket"),
    _e("Tauri", FRAMEWORK, _RUST, rust="tauri", javascript="@tauri-apps/api"),
    _e("Ruby on Rails", FRAMEWORK, _RUBY, ruby="rails"),
    _e("Sinatra", FRAMEWORK, _RUBY, ruby="sinatra"),
    _e("Laravel", FRAMEWORK, _PHP, php="laravel/framework"),
    _e("Symfony", FRAMEWORK, _PHP, php="symfony/framework-bundle symfony/symfony"),
    _e("ASP.NET Core", FRAMEWORK, _DOTNET,
       dotnet="Microsoft.NET.Sdk.Web Microsoft.AspNetCore.*"),
    # -- libraries
    _e("Pydantic", LIBRARY, _PY, python="pydantic"),
    _e("Requests", LIBRARY, _PY, python="requests"),
    _e("HTTPX", LIBRARY, _PY, python="httpx"),
    _e("aiohttp", LIBRARY, _PY, python="aiohttp"),
    _e("Celery", LIBRARY, _PY, python="celery"),
    _e("Click", LIBRARY, _PY, python="click"),
    _e("Werkzeug", LIBRARY, _PY, python="werkzeug"),
    _e("Jinja", LIBRARY, _PY, python="jinja2"),
    _e("Typer", LIBRARY, _PY, python="typer"),
    _e("Strawberry GraphQL", LIBRARY, _PY, python="strawberry-graphql"),
    _e("Graphene", LIBRARY, _PY, python="graphene"),
    _e("GraphQL", LIBRARY, _ANY, javascript="graphql", python="graphql-core"),
    _e("Apollo GraphQL", LIBRARY, _JS,
       javascript="@apollo/client @apollo/server apollo-server apollo-server-express"),
    _e("Redux", LIBRARY, _JS, javascript="redux @reduxjs/toolkit"),
    _e("Axios", LIBRARY, _JS, javascript="axios"),
    _e("Lodash", LIBRARY, _JS, javascript="lodash lodash-es"),
    _e("jQuery", LIBRARY, _JS, javascript="jquery"),
    _e("RxJS", LIBRARY, _JS, javascript="rxjs"),
    _e("Zod", LIBRARY, _JS, javascript="zod"),
    _e("Socket.IO", LIBRARY, _ANY, javascript="socket.io socket.io-client",
       python="python-socketio"),
    _e("Three.js", LIBRARY, _JS, javascript="three"),
    _e("D3", LIBRARY, _JS, javascript="d3"),
    _e("Tokio", LIBRARY, _RUST, rust="tokio"),
    _e("Serde", LIBRARY, _RUST, rust="serde"),
    _e("Clap", LIBRARY, _RUST, rust="clap"),
    _e("Cobra", LIBRARY, _GO, go="github.com/spf13/cobra"),
    _e("Jackson", LIBRARY, _JAVA, java="com.fasterxml.jackson.core:jackson-databind"),
    _e("Lombok", LIBRARY, _JAVA, java="org.projectlombok:lombok"),
    _e("Sidekiq", LIBRARY, _RUBY, ruby="sidekiq"),
    _e("gRPC", LIBRARY, _ANY, python="grpcio", javascript="@grpc/grpc-js",
       go="google.golang.org/grpc", java="io.grpc:grpc-*", rust="tonic",
       dotnet="Grpc.AspNetCore Grpc.Net.Client"),
    # -- databases: servers (through their drivers and images), ORMs, migrations
    _e("SQLAlchemy", DATABASE, _PY, python="sqlalchemy"),
    _e("SQLModel", DATABASE, _PY, python="sqlmodel"),
    _e("Alembic", DATABASE, _PY, python="alembic"),
    _e("Peewee", DATABASE, _PY, python="peewee"),
    _e("Tortoise ORM", DATABASE, _PY, python="tortoise-orm"),
    _e("Prisma", DATABASE, _JS, javascript="prisma @prisma/client"),
    _e("TypeORM", DATABASE, _JS, javascript="typeorm"),
    _e("Sequelize", DATABASE, _JS, javascript="sequelize"),
    _e("Mongoose", DATABASE, _JS, javascript="mongoose"),
    _e("Drizzle ORM", DATABASE, _JS, javascript="drizzle-orm"),
    _e("Knex", DATABASE, _JS, javascript="knex"),
    _e("Hibernate", DATABASE, _JAVA,
       java="org.hibernate:hibernate-core org.hibernate.orm:hibernate-core"),
    _e("Spring Data JPA", DATABASE, _JAVA,
       java="org.springframework.boot:spring-boot-starter-data-jpa "
            "org.springframework.data:spring-data-jpa"),
    _e("GORM", DATABASE, _GO, go="gorm.io/gorm"),
    _e("Diesel", DATABASE, _RUST, rust="diesel"),
    _e("SQLx", DATABASE, _RUST, rust="sqlx"),
    _e("Doctrine ORM", DATABASE, _PHP, php="doctrine/orm"),
    _e("Entity Framework Core", DATABASE, _DOTNET,
       dotnet="Microsoft.EntityFrameworkCore Microsoft.EntityFrameworkCore.*"),
    _e("PostgreSQL", DATABASE, _ANY,
       python="psycopg psycopg2 psycopg2-binary psycopg-binary asyncpg",
       javascript="pg postgres", java="org.postgresql:postgresql",
       go="github.com/lib/pq github.com/jackc/pgx", rust="postgres tokio-postgres",
       ruby="pg", dotnet="Npgsql", image="postgres postgis/postgis bitnami/postgresql"),
    _e("MySQL", DATABASE, _ANY,
       python="mysqlclient pymysql mysql-connector-python aiomysql",
       javascript="mysql mysql2", java="mysql:mysql-connector-java com.mysql:mysql-connector-j",
       go="github.com/go-sql-driver/mysql", ruby="mysql2", dotnet="MySql.Data MySqlConnector",
       image="mysql bitnami/mysql"),
    _e("MariaDB", DATABASE, _ANY, python="mariadb", javascript="mariadb",
       java="org.mariadb.jdbc:mariadb-java-client", image="mariadb bitnami/mariadb"),
    _e("SQLite", DATABASE, _ANY, python="aiosqlite", javascript="sqlite3 better-sqlite3",
       java="org.xerial:sqlite-jdbc", go="github.com/mattn/go-sqlite3 modernc.org/sqlite",
       rust="rusqlite", ruby="sqlite3", dotnet="Microsoft.Data.Sqlite"),
    _e("MongoDB", DATABASE, _ANY, python="pymongo motor", javascript="mongodb",
       java="org.mongodb:mongodb-driver-sync org.mongodb:mongodb-driver-reactivestreams",
       go="go.mongodb.org/mongo-driver", rust="mongodb", ruby="mongo mongoid",
       dotnet="MongoDB.Driver", image="mongo bitnami/mongodb"),
    _e("Redis", DATABASE, _ANY, python="redis aioredis", javascript="redis ioredis",
       java="redis.clients:jedis io.lettuce:lettuce-core",
       go="github.com/redis/go-redis github.com/go-redis/redis github.com/gomodule/redigo",
       rust="redis", ruby="redis", dotnet="StackExchange.Redis",
       image="redis bitnami/redis redis/redis-stack"),
    _e("Elasticsearch", DATABASE, _ANY, python="elasticsearch",
       javascript="@elastic/elasticsearch", java="co.elastic.clients:elasticsearch-java",
       go="github.com/elastic/go-elasticsearch",
       image="elasticsearch elasticsearch/elasticsearch bitnami/elasticsearch"),
    _e("Supabase", DATABASE, _ANY, javascript="@supabase/supabase-js", python="supabase"),
    # -- messaging
    _e("Kafka", MESSAGING, _ANY, python="kafka-python confluent-kafka aiokafka",
       javascript="kafkajs", java="org.apache.kafka:kafka-clients",
       go="github.com/segmentio/kafka-go github.com/confluentinc/confluent-kafka-go",
       image="confluentinc/cp-kafka bitnami/kafka apache/kafka"),
    _e("RabbitMQ", MESSAGING, _ANY, python="pika aio-pika", javascript="amqplib",
       java="com.rabbitmq:amqp-client", go="github.com/rabbitmq/amqp091-go",
       image="rabbitmq bitnami/rabbitmq"),
    # -- testing
    _e("pytest", TESTING, _PY, python="pytest"),
    _e("Hypothesis", TESTING, _PY, python="hypothesis"),
    _e("Coverage.py", TESTING, _PY, python="coverage pytest-cov"),
    _e("tox", TESTING, _PY, python="tox"),
    _e("Nox", TESTING, _PY, python="nox"),
    _e("Jest", TESTING, _JS, javascript="jest"),
    _e("Vitest", TESTING, _JS, javascript="vitest"),
    _e("Mocha", TESTING, _JS, javascript="mocha"),
    _e("Cypress", TESTING, _JS, javascript="cypress"),
    _e("Playwright", TESTING, _ANY, javascript="@playwright/test playwright",
       python="playwright pytest-playwright"),
    _e("Testing Library", TESTING, _JS, javascript="@testing-library/*"),
    _e("Selenium", TESTING, _ANY, python="selenium", javascript="selenium-webdriver",
       java="org.seleniumhq.selenium:selenium-java"),
    _e("JUnit", TESTING, _JAVA, java="junit:junit org.junit.jupiter:* org.junit:junit-bom"),
    _e("Mockito", TESTING, _JAVA, java="org.mockito:mockito-*"),
    _e("RSpec", TESTING, _RUBY, ruby="rspec rspec-rails rspec-core"),
    _e("Minitest", TESTING, _RUBY, ruby="minitest"),
    _e("PHPUnit", TESTING, _PHP, php="phpunit/phpunit"),
    _e("xUnit", TESTING, _DOTNET, dotnet="xunit"),
    _e("NUnit", TESTING, _DOTNET, dotnet="NUnit"),
    _e("Testify", TESTING, _GO, go="github.com/stretchr/testify"),
    # -- linters, formatters, type checkers
    _e("Ruff", LINTER, _PY, python="ruff"),
    _e("Flake8", LINTER, _PY, python="flake8"),
    _e("Pylint", LINTER, _PY, python="pylint"),
    _e("ESLint", LINTER, _JS, javascript="eslint"),
    _e("Stylelint", LINTER, _JS, javascript="stylelint"),
    _e("Biome", LINTER, _JS, javascript="@biomejs/biome"),
    _e("RuboCop", LINTER, _RUBY, ruby="rubocop rubocop-*"),
    _e("golangci-lint", LINTER, _GO),
    _e("Clippy", LINTER, _RUST),
    _e("PHPStan", LINTER, _PHP, php="phpstan/phpstan"),
    _e("pre-commit", LINTER, _ANY, python="pre-commit"),
    _e("Prettier", FORMATTER, _JS, javascript="prettier"),
    _e("Black", FORMATTER, _PY, python="black"),
    _e("isort", FORMATTER, _PY, python="isort"),
    _e("rustfmt", FORMATTER, _RUST),
    _e("mypy", TYPE_CHECKER, _PY, python="mypy"),
    _e("Pyright", TYPE_CHECKER, _PY, python="pyright", javascript="pyright"),
    _e("TypeScript", TYPE_CHECKER, _JS, javascript="typescript"),
    _e("TypeScript (strict)", TYPE_CHECKER, _JS),
    _e("Flow", TYPE_CHECKER, _JS, javascript="flow-bin"),
    # -- build tools, bundlers, packaging
    _e("Webpack", BUILD, _JS, javascript="webpack"),
    _e("Vite", BUILD, _JS, javascript="vite"),
    _e("Rollup", BUILD, _JS, javascript="rollup"),
    _e("esbuild", BUILD, _JS, javascript="esbuild"),
    _e("Babel", BUILD, _JS, javascript="@babel/core"),
    _e("Turborepo", BUILD, _JS, javascript="turbo"),
    _e("Maven", BUILD, _JAVA),
    _e("Gradle", BUILD, _JAVA),
    _e("setuptools", BUILD, _PY, python="setuptools"),
    _e("Poetry", BUILD, _PY, python="poetry poetry-core"),
    _e("Hatch", BUILD, _PY, python="hatch hatchling"),
    _e("PDM", BUILD, _PY, python="pdm pdm-backend"),
    _e("Flit", BUILD, _PY, python="flit flit-core"),
    _e("uv", BUILD, _PY, python="uv"),
    _e("Pipenv", BUILD, _PY, python="pipenv"),
    _e("Cargo", BUILD, _RUST),
    _e("Bundler", BUILD, _RUBY, ruby="bundler"),
    _e("Composer", BUILD, _PHP),
    # -- continuous integration
    _e("GitHub Actions", CI, _ANY),
    _e("GitLab CI", CI, _ANY),
    _e("CircleCI", CI, _ANY),
    _e("Jenkins", CI, _ANY),
    _e("Travis CI", CI, _ANY),
    _e("Azure Pipelines", CI, _ANY),
    _e("Bitbucket Pipelines", CI, _ANY),
    _e("AppVeyor", CI, _ANY),
    # -- containers, infrastructure, cloud
    _e("Docker", CONTAINER, _ANY),
    _e("Docker Compose", CONTAINER, _ANY),
    _e("Terraform", INFRASTRUCTURE, _ANY),
    _e("Kubernetes", INFRASTRUCTURE, _ANY),
    _e("Helm", INFRASTRUCTURE, _ANY),
    _e("Pulumi", INFRASTRUCTURE, _ANY, python="pulumi", javascript="@pulumi/pulumi"),
    _e("AWS CDK", INFRASTRUCTURE, _ANY, javascript="aws-cdk-lib aws-cdk", python="aws-cdk-lib"),
    _e("Ansible", INFRASTRUCTURE, _ANY, python="ansible ansible-core"),
    _e("AWS", CLOUD, _ANY, python="boto3 botocore aioboto3 aiobotocore",
       javascript="aws-sdk @aws-sdk/*", java="software.amazon.awssdk:* com.amazonaws:*",
       go="github.com/aws/aws-sdk-go github.com/aws/aws-sdk-go-v2 github.com/aws/aws-sdk-go-v2/*",
       rust="aws-config aws-sdk-*", ruby="aws-sdk aws-sdk-*", dotnet="AWSSDK.*"),
    _e("Google Cloud", CLOUD, _ANY, python="google-cloud-*", javascript="@google-cloud/*",
       java="com.google.cloud:*", go="cloud.google.com/go cloud.google.com/go/*"),
    _e("Azure", CLOUD, _ANY, python="azure-*", javascript="@azure/*", java="com.azure:*",
       go="github.com/Azure/azure-sdk-for-go github.com/Azure/azure-sdk-for-go/*",
       dotnet="Azure.*"),
    _e("Firebase", CLOUD, _ANY, javascript="firebase firebase-admin", python="firebase-admin"),
    # -- data science and machine learning
    _e("NumPy", DATA_ML, _PY, python="numpy"),
    _e("pandas", DATA_ML, _PY, python="pandas"),
    _e("SciPy", DATA_ML, _PY, python="scipy"),
    _e("scikit-learn", DATA_ML, _PY, python="scikit-learn sklearn"),
    _e("PyTorch", DATA_ML, _PY, python="torch"),
    _e("TensorFlow", DATA_ML, _PY, python="tensorflow tensorflow-cpu tensorflow-gpu",
       javascript="@tensorflow/tfjs"),
    _e("Keras", DATA_ML, _PY, python="keras"),
    _e("Matplotlib", DATA_ML, _PY, python="matplotlib"),
    _e("Jupyter", DATA_ML, _PY, python="jupyter notebook jupyterlab"),
    _e("Hugging Face Transformers", DATA_ML, _PY, python="transformers"),
    _e("XGBoost", DATA_ML, _PY, python="xgboost"),
    _e("Polars", DATA_ML, _PY, python="polars"),
    _e("OpenCV", DATA_ML, _PY,
       python="opencv-python opencv-python-headless opencv-contrib-python"),
    _e("spaCy", DATA_ML, _PY, python="spacy"),
    _e("NLTK", DATA_ML, _PY, python="nltk"),
    _e("LangChain", DATA_ML, _ANY, python="langchain langchain-core",
       javascript="langchain @langchain/core"),
    _e("OpenAI API", DATA_ML, _ANY, python="openai", javascript="openai"),
)
# fmt: on

_PYTHON_SEPARATORS = re.compile(r"[-_.]+")
_GO_MAJOR_VERSION = re.compile(r"/v[0-9]+$")


def normalise(namespace: str, name: str) -> str:
    """A package name in the form the registry compares (see the module docstring)."""
    if namespace == "python":
        return _PYTHON_SEPARATORS.sub("-", name).lower()
    if namespace == "rust":
        return name.lower().replace("_", "-")
    if namespace == "go":
        return _GO_MAJOR_VERSION.sub("", name)
    if namespace in ("ruby", "php", "dotnet", "image"):
        return name.lower()
    return name  # javascript, java, gradle-plugin: exact


def _index() -> tuple[dict[tuple[str, str], list[Entry]], dict[str, list[tuple[str, Entry]]]]:
    exact: dict[tuple[str, str], list[Entry]] = {}
    prefixes: dict[str, list[tuple[str, Entry]]] = {}
    for entry in REGISTRY:
        for namespace, names in entry.packages.items():
            for name in names:
                if name.endswith("*"):
                    prefix = normalise(namespace, name[:-1])
                    prefixes.setdefault(namespace, []).append((prefix, entry))
                else:
                    exact.setdefault((namespace, normalise(namespace, name)), []).append(entry)
    return exact, prefixes


_PACKAGES, _PACKAGE_PREFIXES = _index()
_BY_NAME = {entry.name: entry for entry in REGISTRY}


def _package_entries(namespace: str, name: str) -> Iterable[Entry]:
    key = normalise(namespace, name)
    yield from _PACKAGES.get((namespace, key), ())
    for prefix, entry in _PACKAGE_PREFIXES.get(namespace, ()):
        if key.startswith(prefix):
            yield entry


# ---------------------------------------------------------------- which reader for which path


def _yaml_ci(tool: str) -> Parser:
    return tool_reader(check_yaml_mapping, tool)  # a CI file is always a mapping


# How a configuration file is checked, by its extension ("" for rc files without one).
# fmt: off
_CONFIG_CHECKS: dict[str, Callable[[str], object]] = {
    "json": check_jsonc, "jsonc": check_jsonc, "yml": check_yaml, "yaml": check_yaml,
    "toml": check_toml, "ini": check_ini, "cfg": check_ini, "xml": check_xml,
}
# fmt: on
_CODE_EXTENSIONS = frozenset({"js", "cjs", "mjs", "ts", "cts", "mts", "json5", "neon", "dist"})

# "<stem>.<extension>" configuration files: eslint.config.mjs, .prettierrc.yaml, mypy.ini,
# .isort.cfg, phpunit.xml.dist, phpstan.neon, angular.json, biome.jsonc ...
# fmt: off
_CONFIG_STEMS = {
    "eslint.config": "ESLint", ".eslintrc": "ESLint", "prettier.config": "Prettier",
    ".prettierrc": "Prettier", "jest.config": "Jest", "vitest.config": "Vitest",
    "vite.config": "Vite", "webpack.config": "Webpack", "rollup.config": "Rollup",
    "babel.config": "Babel", ".babelrc": "Babel", "stylelint.config": "Stylelint",
    ".stylelintrc": "Stylelint", "tailwind.config": "Tailwind CSS",
    "playwright.config": "Playwright", "cypress.config": "Cypress", "next.config": "Next.js",
    "nuxt.config": "Nuxt", "svelte.config": "Svelte", "astro.config": "Astro",
    "angular": "Angular", "turbo": "Turborepo", "biome": "Biome", "pyrightconfig": "Pyright",
    "mypy": "mypy", ".mypy": "mypy", "pytest": "pytest", ".isort": "isort", "ruff": "Ruff",
    ".ruff": "Ruff", ".golangci": "golangci-lint", ".rubocop": "RuboCop", "rustfmt": "rustfmt",
    ".rustfmt": "rustfmt", "clippy": "Clippy", ".clippy": "Clippy", "phpunit": "PHPUnit",
    "phpunit.xml": "PHPUnit", "phpstan": "PHPStan", "phpstan.neon": "PHPStan",
}
# fmt: on


# Files without an extension: the check each one must pass, and the tool it names.
# fmt: off
_BARE: dict[str, tuple[Callable[[str], object], str]] = {
    ".eslintrc": (check_json_or_yaml, "ESLint"), ".prettierrc": (check_json_or_yaml, "Prettier"),
    ".stylelintrc": (check_json_or_yaml, "Stylelint"), ".babelrc": (check_jsonc, "Babel"),
    ".flake8": (check_ini, "Flake8"), ".pylintrc": (check_ini, "Pylint"),
    "pylintrc": (check_ini, "Pylint"), ".coveragerc": (check_ini, "Coverage.py"),
    ".rspec": (check_present, "RSpec"), "conftest.py": (check_present, "pytest"),
    "noxfile.py": (check_present, "Nox"), "Jenkinsfile": (check_present, "Jenkins"),
}
# fmt: on


def _config_parser(name: str) -> Parser | None:
    if name in _BARE:
        return tool_reader(*_BARE[name])
    stem, _, extension = name.rpartition(".")
    tool = _CONFIG_STEMS.get(stem)
    if tool is None:
        return None
    if extension in _CODE_EXTENSIONS:
        return tool_reader(check_present, tool)
    check = _CONFIG_CHECKS.get(extension)
    return None if check is None else tool_reader(check, tool)


# fmt: off
_BY_FILE_NAME: dict[str, Parser] = {
    "package.json": read_package_json, "composer.json": read_composer_json,
    "pyproject.toml": read_pyproject, "Pipfile": read_pipfile, "setup.cfg": read_ini_sections,
    "tox.ini": read_ini_sections, "setup.py": read_setup_py, "pom.xml": read_pom,
    "build.gradle": read_gradle, "build.gradle.kts": read_gradle, "go.mod": read_go_mod,
    "Cargo.toml": read_cargo_toml, "Gemfile": read_gemfile, "Chart.yaml": read_helm_chart,
    "kustomization.yaml": read_kustomization, "kustomization.yml": read_kustomization,
    ".pre-commit-config.yaml": read_pre_commit, ".gitlab-ci.yml": _yaml_ci("GitLab CI"),
    ".travis.yml": _yaml_ci("Travis CI"), "azure-pipelines.yml": _yaml_ci("Azure Pipelines"),
    "azure-pipelines.yaml": _yaml_ci("Azure Pipelines"),
    "bitbucket-pipelines.yml": _yaml_ci("Bitbucket Pipelines"),
    "appveyor.yml": _yaml_ci("AppVeyor"), ".appveyor.yml": _yaml_ci("AppVeyor"),
}
# fmt: on
_MSBUILD_EXTENSIONS = (".csproj", ".fsproj", ".vbproj")
_COMPOSE = re.compile(r"(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml")
_REQUIREMENTS = re.compile(r"(?:[\w.-]*[-_.])?requirements(?:[-_.][\w.-]*)?\.(?:txt|in)")
_TSCONFIG = re.compile(r"tsconfig(?:\.[\w-]+)*\.json")
# fmt: off
_KUBERNETES_DIRS = frozenset({
    "k8s", "kubernetes", "kube", "manifests", "deploy", "deployment", "deployments", "helm",
    "charts", "kustomize", "overlays",
})
# fmt: on
_GITHUB_ACTIONS = _yaml_ci("GitHub Actions")
_CIRCLECI = _yaml_ci("CircleCI")


def _is_dockerfile(name: str) -> bool:
    lower = name.lower()
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith("dockerfile.")
        or lower.endswith(".dockerfile")
    )


def _by_directory(directory: str, name: str) -> Parser | None:
    parent = directory.rpartition("/")[2]
    yaml_file = name.endswith((".yml", ".yaml"))
    if yaml_file and (directory == ".github/workflows" or directory.endswith("/.github/workflows")):
        return _GITHUB_ACTIONS
    if name == "config.yml" and parent == ".circleci":
        return _CIRCLECI
    if parent == "requirements" and name.endswith((".txt", ".in")):
        return read_requirements
    if yaml_file and any(p.lower() in _KUBERNETES_DIRS for p in directory.split("/")):
        return read_kubernetes
    return None


def _by_name(name: str) -> Parser | None:
    if name in _BY_FILE_NAME:
        return _BY_FILE_NAME[name]
    if _is_dockerfile(name):
        return read_dockerfile
    if name.endswith(_MSBUILD_EXTENSIONS):
        return read_msbuild
    if name.endswith(".tf"):
        return read_terraform
    lower = name.lower()
    if _COMPOSE.fullmatch(lower):
        return read_compose
    if _REQUIREMENTS.fullmatch(lower):
        return read_requirements
    if _TSCONFIG.fullmatch(name):
        return read_tsconfig
    return _config_parser(name)


def parser_for(path: str) -> Parser | None:
    """The reader for the manifest or configuration file at `path` (POSIX, relative), if any."""
    directory, _, name = path.rpartition("/")
    return _by_name(name) or _by_directory(directory, name)


def is_manifest(path: str) -> bool:
    """Whether the file at `path` (POSIX, relative to the project root) is worth reading."""
    return parser_for(path) is not None and not is_excluded(path)


def _sorted(detections: Iterable[Detection]) -> tuple[Detection, ...]:
    return tuple(sorted(detections, key=lambda d: (d.category, d.name)))


def detect(path: str, content: bytes) -> tuple[Detection, ...]:
    """What the manifest or configuration file at `path` declares, each entry once, sorted by
    (category, name); () for files that are no manifest and for malformed content."""
    reader = parser_for(path)
    signals = None if reader is None or is_excluded(path) else manifests.run(reader, content)
    if signals is None:
        return ()
    entries = {e.name: e for ns, name in signals.packages for e in _package_entries(ns, name)}
    entries.update((tool, _BY_NAME[tool]) for tool in signals.tools)
    return _sorted(Detection(e.name, e.category, e.ecosystem, path) for e in entries.values())


def detect_all(files: Mapping[str, bytes]) -> tuple[Detection, ...]:
    """`detect` over every file; an entry found in several files keeps the shallowest path
    (then the first in sorted order), so a root manifest wins over `examples/…/`. Sorted by
    (category, name)."""
    found: dict[str, Detection] = {}
    for path in sorted(files, key=lambda p: (p.count("/"), p)):
        for detection in detect(path, files[path]):
            found.setdefault(detection.name, detection)
    return _sorted(found.values())
