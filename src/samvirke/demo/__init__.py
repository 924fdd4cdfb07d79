"""The demo region: the nine municipalities around Rana with partners, people and content.

Loaded by `manage.py load_demo` (idempotent). Everything here is fictional except the municipalities'
public facts (numbers, population, coordinates; shared/docs/domain.md section 10).
"""
