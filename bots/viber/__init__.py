"""The Viber channel: signed callbacks in, REST API messages out."""
