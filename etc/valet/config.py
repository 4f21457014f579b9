# The pecan configuration of the Valet API, for pecan's own commands:
#
#   pecan populate etc/valet/config.py   # create or upgrade the schema (idempotent)
#   pecan serve etc/valet/config.py      # a one-process development server
#
# Production serves the same app with valet-api (gunicorn, [api] workers) or a
# WSGI server (valet_api.wsgi:application, etc/valet/deploy/).  Everything but
# pecan's own settings lives in the oslo.config file named below.

# pecan serve's listener (wsgiref: one request at a time).  Local only: it is
# for development, and has no authentication.
server = {
    "host": "127.0.0.1",
    "port": "8090",
}

app = {
    # pecan imports each of `modules` and calls <module>.app.setup_app(config),
    # here valet_api.app.setup_app, which builds its own root controller.
    "root": "valet_api.controllers.root.Root",
    "modules": ["valet_api"],
    # pecan's debug middleware serves tracebacks to any client: never on.
    # [DEFAULT] debug in valet.conf puts tracebacks in error bodies instead.
    "debug": False,
}

# The oslo.config file(s) ([database], [engine], [inventory], ...): a path or a
# list, relative to this file's directory.  Without this section the
# VALET_CONFIG_FILE environment variable (comma-separated) names them, else
# oslo.config's default search path (/etc/valet/valet.conf, ...) applies.
valet = {
    "config_file": "valet.conf",
}
