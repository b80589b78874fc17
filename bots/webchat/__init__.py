"""The web chat: a page and an embeddable widget talking to the server over a WebSocket."""
