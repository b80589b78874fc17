"""The knowledge base in the web app: its component (the search index), REST API and the /kb editor."""
