"""Import and export of the knowledge base: JSON, YAML, CSV and a folder of Markdown files."""
