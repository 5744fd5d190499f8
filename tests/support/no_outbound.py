"""Run a program with every attempt to reach another machine written down.

``python tests/support/no_outbound.py LOG run.py play ...`` installs an audit hook (PEP 578) that
appends to LOG each name lookup of a host other than this machine and each socket connection to an
address that is not loopback, then runs the program as ``python run.py play ...`` would. A test then
reads LOG: empty means the server never tried to leave the machine, whatever library would have.
"""

import runpy
import sys

LOCAL = ("127.", "::1", "localhost", "0.0.0.0", "")


def _is_local(host) -> bool:
    return host is None or str(host).startswith(LOCAL)


def main() -> None:
    log_path, program, *arguments = sys.argv[1:]
    log = open(log_path, "a", buffering=1)

    def hook(event, args):
        if event == "socket.getaddrinfo" and not _is_local(args[0]):
            log.write(f"lookup {args[0]}\n")
        elif event == "socket.connect":
            address = args[1]
            if isinstance(address, tuple) and not _is_local(address[0]):
                log.write(f"connect {address[0]}:{address[1]}\n")

    sys.addaudithook(hook)
    sys.argv = [program, *arguments]
    runpy.run_path(program, run_name="__main__")


if __name__ == "__main__":
    main()
