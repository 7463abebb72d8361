#!/usr/bin/env python3
"""Clones one Ready take of a project COUNT times straight into the studio's SQLite file.

Every clone shares the template's video and poster blobs (so 10,000 takes cost one video on disk) and gets its own
id, prompt, seed, duration and creation time (one every ~37 s going back), so sorting and search have real work.
Usage: seed.py STUDIO_DB PROJECT_ID COUNT
"""
import random, sqlite3, sys, uuid
from datetime import datetime, timedelta

db_path, project_id, count = sys.argv[1], sys.argv[2].upper(), int(sys.argv[3])
words = ("lantern market rain harbour dawn neon alley fog drone forest river mountain city night desert storm "
         "train window portrait dancer ocean waves snow cabin sunset street crowd slow dolly pan aerial close-up").split()
db = sqlite3.connect(db_path, timeout=30)
db.row_factory = sqlite3.Row
template = db.execute("select * from Generations where upper(ProjectId)=? and State='Ready' and DeletedAt is null order by CreatedAt limit 1",
                      (project_id,)).fetchone()
if template is None:
    sys.exit(f"project {project_id} has no Ready take to clone")
columns = template.keys()
rng = random.Random(6)
start = datetime.utcnow()
rows = []
for i in range(count):
    row = dict(template)
    created = start - timedelta(seconds=37 * (i + 1))
    row.update(
        Id=str(uuid.uuid4()).upper(),
        ClientRequestId=None,
        PromptText=" ".join(rng.choice(words) for _ in range(rng.randint(8, 24))) + f" (take {i + 1})",
        Seed=rng.randint(0, 4294967295),
        DurationSeconds=rng.choice((5, 10)),
        CreatedAt=created.strftime("%Y-%m-%d %H:%M:%S.%f"),
        UpdatedAt=created.strftime("%Y-%m-%d %H:%M:%S.%f"),
        CompletedAt=(created + timedelta(seconds=30)).strftime("%Y-%m-%d %H:%M:%S.%f"),
        NextAttemptAt=created.strftime("%Y-%m-%d %H:%M:%S.%f"),
        ProviderTaskId=str(uuid.uuid4()),
        CallbackTokenHash=None,
        LeaseOwner=None,
        LeaseExpiresAt=None,
    )
    rows.append(tuple(row[c] for c in columns))
db.executemany(f"insert into Generations ({','.join(columns)}) values ({','.join('?' * len(columns))})", rows)
db.commit()
print(f"seeded {count} takes into project {project_id}")
