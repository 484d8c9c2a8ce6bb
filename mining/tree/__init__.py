"""Reading the tree at HEAD: languages and the files left out of them (`languages.py`), the
registry of frameworks, libraries and tools (`registry.py`), manifests read as data
(`manifests.py`) and matched against the registry (`frameworks.py`). Pure: paths and bytes in,
records out.
"""
