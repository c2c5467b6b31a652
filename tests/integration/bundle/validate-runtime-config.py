#!/usr/bin/python3
"""Validates config.json files against the OCI runtime-spec JSON schema.

Usage: validate-runtime-config.py SCHEMA_DIR CONFIG.json...
SCHEMA_DIR holds config-schema.json and the files it refers to (Debian:
/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema).
"""
import json
import pathlib
import sys

import jsonschema


def main():
    schema_dir = pathlib.Path(sys.argv[1]).resolve()
    schema = json.loads((schema_dir / "config-schema.json").read_text())
    resolver = jsonschema.RefResolver(base_uri=schema_dir.as_uri() + "/", referrer=schema)
    validator = jsonschema.Draft4Validator(schema, resolver=resolver)
    failures = 0
    for path in sys.argv[2:]:
        errors = sorted(validator.iter_errors(json.loads(pathlib.Path(path).read_text())),
                        key=lambda e: list(e.path))
        for error in errors:
            print(f"{path}: {'/'.join(map(str, error.path))}: {error.message}")
        failures += bool(errors)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
