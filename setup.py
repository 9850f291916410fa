"""Package discovery: `teachtf` plus the top-level `widgets/` folder installed as `teachtf.widgets`.

Metadata lives in pyproject.toml; only the folder mapping needs code.
"""

from setuptools import find_packages, setup

engine = find_packages(include=["teachtf", "teachtf.*"])
widgets = ["teachtf." + p for p in find_packages(include=["widgets", "widgets.*"])]

setup(packages=engine + widgets, package_dir={"teachtf.widgets": "widgets"})
