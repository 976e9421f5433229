"""``python -m handprop.schema``: write the published trace schema from the tables."""
from . import FILE, write

write()
print(f"wrote {FILE}")
