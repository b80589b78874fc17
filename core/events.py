"""Bus topic names, in one place so publishers and subscribers cannot drift apart."""

# A conversation changed (status, assignee, team, priority): payload {"conversation_id", "status", ...}.
CONVERSATION_UPDATED = "conversation.updated"
# A message was stored in a conversation: payload {"conversation_id", "message_id", "direction", "author"}.
MESSAGE_CREATED = "message.created"
# A message's delivery status changed: payload {"conversation_id", "message_id", "delivery_status"}.
MESSAGE_STATUS = "message.status"
# New outbox rows exist: wakes the delivery workers. Payload {"channel", "chat_id"}.
OUTBOX_READY = "outbox.ready"
# A knowledge-base article was created, changed, published or removed: payload {"article_id": <id>}, or
# {"article_id": None} after a bulk import (every process reloads its whole index).
KB_CHANGED = "kb.changed"
# An agent's availability changed (set by the agent or a supervisor): payload the agent as GET /api/agents
# lists them, {"id", "name", "status", ...}; every console updates its Agents panel and own status box.
AGENT_STATUS = "agent.status"
# An SLA timer ran out: payload {"conversation_id", "kind"}.
SLA_BREACHED = "sla.breached"
# The outbox gave up on a message (dead letter): payload {"outbox_id", "message_id", "channel", "chat_id",
# "payload", "error"}; notifications fail over to another channel on this.
OUTBOX_DEAD = "outbox.dead"
# A messenger asked to wait (Telegram's 429 retry_after): every process's delivery worker stops sending on
# that channel for as long. Payload {"channel", "seconds"}.
CHANNEL_PAUSED = "channel.paused"
# A web chat message for a visitor: every process pushes it to that visitor's open sockets.
# Payload {"visitor", "message_id", "text", "buttons", "author", "author_name"} and, on a formatted
# knowledge-base answer, "html" (see bots.messengers.webchat).
WEBCHAT_DELIVER = "webchat.deliver"
# A web chat visitor's own message, stored: every process shows it in that visitor's other open tabs.
# Payload {"visitor", "message_id", "client_id", "text"} (see bots.webchat.hub).
WEBCHAT_ECHO = "webchat.echo"
