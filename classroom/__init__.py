"""The class game: rooms on the server that a whole class plays together (see classroom/api.py)."""
