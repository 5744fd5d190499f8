"""The Solara web app: pages (ui/pages), components (ui/components) and the server (ui/server.py)."""
