"""``valet-sim``: the engine without a server (DESIGN §9).

``valet-sim place`` plans one stack and prints JSON; exit 0 placed, 1 invalid
input, 2 no placement.  ``valet-sim bench`` runs the benchmarks.

Before the command, ``--config-file``, ``--config-dir``, ``--log-file`` and
``--debug`` set up oslo.log as in every Valet service (:func:`setup_logging`);
log lines go to stderr unless a log file is named, so stdout holds only
the JSON answer.
"""

import argparse
import json
import pathlib
import sys

import yaml
from oslo_config import cfg
from oslo_log import log as logging

from ostro.config import EngineSettings
from ostro.engine import Engine
from ostro.errors import InvalidInput, NoPlacement
from ostro.inventory import file as inventory_file
from ostro.model.datacenter import LEVELS
from ostro.model.topology import GROUP_KINDS, NamedGroup

EXIT_OK, EXIT_INVALID, EXIT_NO_PLACEMENT = 0, 1, 2


def _read(path, what):
    try:
        with open(path, encoding="utf-8") as stream:
            return yaml.safe_load(stream)   # JSON is YAML, so both are accepted
    except OSError as exc:
        raise InvalidInput(f"{what} {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{what} {path}: not valid JSON or YAML: {exc}") from exc


def named_groups(entries, source="groups"):
    """NamedGroup objects from ``[{name, type, level, members?}]``."""
    if not isinstance(entries, list):
        raise InvalidInput(f"{source}: expected a list of groups")
    groups = []
    for index, entry in enumerate(entries):
        where = f"{source}[{index}]"
        if not isinstance(entry, dict) or not entry.get("name"):
            raise InvalidInput(f"{where}: a group needs a name")
        if entry.get("type") not in GROUP_KINDS:
            raise InvalidInput(f"{where}: type must be one of {', '.join(GROUP_KINDS)}")
        if entry.get("level") not in LEVELS:
            raise InvalidInput(f"{where}: level must be one of {', '.join(LEVELS)}")
        groups.append(NamedGroup(name=str(entry["name"]), kind=entry["type"],
                                 level=entry["level"], id=entry.get("id"),
                                 description=entry.get("description", ""),
                                 members=tuple(entry.get("members") or ())))
    return groups


def build_engine(inventory, groups=None, existing=None, settings=None):
    datacenter = inventory_file.load(inventory)
    engine = Engine(datacenter, settings or EngineSettings(),
                    named_groups(_read(groups, "groups") or [], groups) if groups else ())
    if existing:
        entries = _read(existing, "existing") or {}
        if not isinstance(entries, dict):
            raise InvalidInput(f"existing {existing}: expected an object keyed by orch id")
        for orch_id, entry in entries.items():
            if not isinstance(entry, dict) or "location" not in entry or "resource" not in entry:
                raise InvalidInput(f"existing {orch_id}: needs location and resource")
            engine.add_existing(orch_id, entry["resource"], entry["location"])
    return engine


def place(args):
    engine = build_engine(args.inventory, args.groups, args.existing)
    resources = _read(args.resources, "resources")
    if resources is None:
        resources = {}
    plan = engine.plan(resources, stack_id=args.stack_id)
    return {"placements": plan.to_dict()["placements"]}


def _print(data):
    json.dump(data, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


def _benchmarks():
    """``benchmarks.run`` of the source checkout this ``ostro`` comes from.

    NOTE: the wheel leaves ``benchmarks`` out (setup.cfg), so an editable
    install does not map it either: it is found beside ``ostro/`` when that is
    a checkout, and an installed Valet says the command needs one."""
    checkout = pathlib.Path(__file__).resolve().parents[2]
    if (checkout / "benchmarks" / "__init__.py").is_file() and str(checkout) not in sys.path:
        sys.path.append(str(checkout))
    try:
        from benchmarks import run
    except ModuleNotFoundError as exc:
        if exc.name != "benchmarks":
            raise   # a missing dependency of the bench extra: its own message
        raise SystemExit("valet-sim bench needs a source checkout of Valet (the benchmarks "
                         "are not installed with it): run `make bench` there") from None
    return run


def add_logging_arguments(parser):
    """The options every Valet command takes for its log (oslo.log's names)."""
    parser.add_argument("--config-file", action="append", default=[],
                        help="an oslo.config file (for [DEFAULT] log options); repeatable")
    parser.add_argument("--config-dir", action="append", default=[],
                        help="a directory of *.conf files read after --config-file")
    parser.add_argument("--log-file", help="log here instead of stderr")
    parser.add_argument("--debug", "-d", action="store_true",
                        help="log debug messages too")


def setup_logging(args):
    """oslo.log as ``args`` (:func:`add_logging_arguments`) and the files
    they name say; no file is searched for when none is named."""
    conf = cfg.ConfigOpts()
    logging.register_options(conf)
    conf([], project="valet", prog="valet-sim", default_config_files=args.config_file,
         default_config_dirs=args.config_dir)
    if args.log_file:
        conf.set_override("log_file", args.log_file)
    if args.debug:
        conf.set_override("debug", True)
    if not (conf.log_file or conf.log_dir):
        conf.set_default("use_stderr", True)        # NOTE: stdout is for the JSON answer
    logging.setup(conf, "valet")
    return conf


def main(argv=None):
    parser = argparse.ArgumentParser(prog="valet-sim", description=__doc__.splitlines()[0])
    add_logging_arguments(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    placing = commands.add_parser("place", help="plan one stack and print the placements")
    placing.add_argument("--inventory", required=True, help="inventory YAML (DESIGN §8)")
    placing.add_argument("--resources", required=True, help="a plan's resources object")
    placing.add_argument("--existing", help="placements already in the data centre")
    placing.add_argument("--groups", help="named groups: [{name, type, level, members?}]")
    placing.add_argument("--stack-id", default="valet-sim", help=argparse.SUPPRESS)
    bench = commands.add_parser("bench", help="run the benchmarks (see doc/benchmarks.md)")
    bench.add_argument("--output", default="doc/benchmarks")
    bench.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    bench.add_argument("suites", nargs="*",
                       help="quality, pipes, speed, api_load, scale (default: all)")
    args = parser.parse_args(argv)
    setup_logging(args)
    if args.command == "bench":
        return _benchmarks().main(args)
    try:
        _print(place(args))
    except NoPlacement as exc:
        _print({"error": exc.to_dict()})
        return EXIT_NO_PLACEMENT
    except InvalidInput as exc:
        _print({"error": exc.to_dict()})
        return EXIT_INVALID
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
