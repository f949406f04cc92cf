"""healthscore: a Python client for the healthscore.v1 gRPC API.

    import healthscore
    with healthscore.Client("127.0.0.1:50051", timeout=10) as client:
        s = client.score("cust-1", {"logins_30d": 40}, segment="smb")

See docs/clients.md. The protobuf stubs (healthscore.v1) are generated from
proto/ at build time, never committed: see healthscore._generate.
"""

# The generated healthscore.v1 may live in another sys.path entry (a build
# directory) than this package: let `healthscore` span both.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)

from .client import Client  # noqa: E402
from .errors import *  # noqa: E402,F401,F403
from .errors import __all__ as _errors
from .types import *  # noqa: E402,F401,F403
from .types import __all__ as _types

__version__ = "0.1.0"
__all__ = ["Client"] + list(_errors) + list(_types)
