"""The environment files agree, every dependency is pinned, every import is declared."""

import ast
import re
import sys

import support
from deepfake_lib.core.paths import repo_root

ROOT = repo_root()

# import name -> distribution name, where they differ
IMPORT_TO_DIST = {"cv2": "opencv-python-headless", "sklearn": "scikit-learn", "skimage": "scikit-image",
                  "yaml": "PyYAML", "PIL": "pillow", "imblearn": "imbalanced-learn",
                  "tensorflow": "tensorflow-cpu"}


def test_every_requirement_pinned_and_the_book_stack_present():
    pins = support.pins()
    assert pins["tensorflow-cpu"].startswith("2.21.")
    assert pins["keras"].startswith("3.15.")
    assert pins["jupyter-book"].startswith("1.0.4"), "Jupyter Book 2.x fetches its theme at build time"
    assert pins["mtcnn"] == "1.0.0"
    for needed in ("jupytext", "papermill", "ipykernel", "nbval", "pytest", "opencv-python-headless",
                   "joblib", "lz4", "scikit-learn", "seaborn", "tqdm", "pyyaml"):
        assert needed in pins, f"{needed} missing from requirements.txt"


def test_environment_yml_installs_requirements_txt_on_python_311():
    env = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*python=3\.11\s*$", env, re.M)
    assert re.search(r"^\s*-\s*-r requirements\.txt\s*$", env, re.M), \
        "environment.yml must install the same pins as requirements.txt"
    extra = re.findall(r"^\s*-\s*([A-Za-z][\w.-]*)\s*[=<>]", env, re.M)
    assert [e for e in extra if e != "python"] == [], f"environment.yml pins packages of its own: {extra}"
    assert 'requires-python = ">=3.11,<3.12"' in (ROOT / "pyproject.toml").read_text()


def test_every_library_import_is_a_declared_dependency():
    pins = support.pins()
    stdlib = set(sys.stdlib_module_names)
    missing = set()
    for path in (ROOT / "deepfake_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in stdlib or top in ("deepfake_lib", "jax", "torch"):
                    continue
                dist = IMPORT_TO_DIST.get(top, top).lower().replace("_", "-")
                if dist not in pins:
                    missing.add(f"{top} ({path.relative_to(ROOT)})")
    assert not missing, f"imported but not in requirements.txt: {sorted(missing)}"
