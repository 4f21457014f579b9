"""Where the data centre comes from (``[inventory] driver``): ``file`` (a
YAML document, :mod:`.file`) or ``nova`` (synced from Nova by the leader
engine, :mod:`.nova`, and read from the store by everyone)."""
