"""HTTP API of the class game (placeholder until the room server lands)."""


def routes():
    return []
