"""The benchmark operations in SQLAlchemy 2.x, for context beside the Rust contenders.

Run by the Rust harness with `--with-python` (it loads the data and passes the sizes):
    python3 sqlalchemy_bench.py URL SIZES_JSON
Prints {"SQLAlchemy Core (py)": {op_key: median_seconds}, "SQLAlchemy ORM (py)": {...}} on stdout.
Needs: pip install sqlalchemy (+ psycopg[binary] for PostgreSQL, pymysql for MySQL/MariaDB).
"""

import json
import statistics
import sys
import time
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, String, Text, bindparam, create_engine, delete, insert, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "bench_users"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    hair_color: Mapped[Optional[str]] = mapped_column(String(50))
    posts: Mapped[list["Post"]] = relationship(back_populates="user")


class Post(Base):
    __tablename__ = "bench_posts"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("bench_users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[Optional[str]] = mapped_column(Text)
    user: Mapped[User] = relationship(back_populates="posts")
    comments: Mapped[list["Comment"]] = relationship()


class Comment(Base):
    __tablename__ = "bench_comments"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("bench_posts.id"))
    text: Mapped[str] = mapped_column(Text)


class NewUser(Base):
    __tablename__ = "bench_inserts"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    hair_color: Mapped[Optional[str]] = mapped_column(String(50))


U, P, C, I = User.__table__, Post.__table__, Comment.__table__, NewUser.__table__


def new_rows(n):
    return [{"name": f"New user {i}", "hair_color": None if i % 3 == 0 else "green"} for i in range(n)]


def main():
    url, sizes = sys.argv[1], json.loads(sys.argv[2])
    quick = sizes["quick"]
    engine = create_engine(url, pool_size=10, max_overflow=0)
    out = {"SQLAlchemy Core (py)": {}, "SQLAlchemy ORM (py)": {}}
    stamp = [0]

    def clear():
        with engine.begin() as c:
            c.execute(delete(I))

    def measure(column, key, fn, setup=None):
        """fn() runs one iteration; returns its seconds (or None to time all of fn)."""
        runs = []
        budget = time.perf_counter() + 1.5
        n_min, n_max = (1, 1) if quick else (3, 15)
        for i in range((0 if quick else 1) + n_max):
            if setup:
                setup()
            t = time.perf_counter()
            r = fn()
            d = r if isinstance(r, float) else time.perf_counter() - t
            if i >= (0 if quick else 1):
                runs.append(d)
            if len(runs) >= n_min and time.perf_counter() > budget:
                break
        out[column][key] = statistics.median(runs)
        print(f"{key:<18} {column:<22} {out[column][key] * 1e3:10.2f} ms ({len(runs)} runs)", file=sys.stderr)

    core, orm = "SQLAlchemy Core (py)", "SQLAlchemy ORM (py)"
    user_cols = select(U.c.id, U.c.name, U.c.hair_color)
    medium = (
        select(U.c.id, U.c.name, U.c.hair_color, P.c.id, P.c.user_id, P.c.title, P.c.body)
        .outerjoin(P, P.c.user_id == U.c.id)
        .where(U.c.hair_color == "black", U.c.id <= sizes["medium_users"])
    )

    with engine.connect() as conn, Session(engine) as session:
        for n in sizes["trivial"]:
            measure(core, f"trivial_{n}", lambda: conn.execute(user_cols.limit(n)).all())
            measure(orm, f"trivial_{n}", lambda: (session.expunge_all(), session.scalars(select(User).limit(n)).all()))
        measure(core, "medium", lambda: conn.execute(medium).all())
        measure(
            orm,
            "medium",
            lambda: (
                session.expunge_all(),
                session.execute(
                    select(User, Post)
                    .outerjoin(Post, Post.user_id == User.id)
                    .where(User.hair_color == "black", User.id <= sizes["medium_users"])
                ).all(),
            ),
        )

        def assoc_core():
            users = conn.execute(user_cols.where(U.c.id <= sizes["assoc_users"])).all()
            posts = conn.execute(select(P).where(P.c.user_id.in_([u.id for u in users]))).all()
            comments = conn.execute(select(C).where(C.c.post_id.in_([p.id for p in posts]))).all()
            return users, posts, comments

        measure(core, "assoc", assoc_core)
        measure(
            orm,
            "assoc",
            lambda: (
                session.expunge_all(),
                session.scalars(
                    select(User)
                    .where(User.id <= sizes["assoc_users"])
                    .options(selectinload(User.posts).selectinload(Post.comments))
                ).all(),
            ),
        )
        conn.rollback()
        session.rollback()

        for n in sizes["batch"]:
            rows = new_rows(n)

            def batch_core():
                for _ in range(sizes["batch_statements"]):
                    conn.execute(insert(I).values(rows))
                conn.commit()

            def batch_orm():
                for _ in range(sizes["batch_statements"]):
                    session.add_all([NewUser(**r) for r in rows])
                    session.flush()
                session.commit()

            measure(core, f"batch_{n}", batch_core, clear)
            measure(orm, f"batch_{n}", batch_orm, clear)

        bulk = new_rows(sizes["bulk"])
        with_ids = [dict(r, id=i + 1) for i, r in enumerate(bulk)]

        def bulk_core(keys):
            def run():
                if keys:
                    ids = []
                    for k in range(0, len(bulk), 1000):
                        ids += conn.execute(insert(I).returning(I.c.id), bulk[k : k + 1000]).scalars().all()
                    assert len(ids) == len(bulk)
                else:
                    conn.execute(insert(I), with_ids)
                conn.commit()

            return run

        def bulk_orm(keys):
            def run():
                if keys:
                    objs = [NewUser(**r) for r in bulk]
                    session.add_all(objs)
                    session.flush()
                    assert objs[-1].id is not None
                else:
                    session.execute(insert(NewUser), with_ids)  # ORM bulk INSERT, no keys back
                session.commit()

            return run

        measure(core, "bulk_nokeys", bulk_core(False), clear)
        measure(orm, "bulk_nokeys", bulk_orm(False), clear)
        measure(core, "bulk_keys", bulk_core(True), clear)
        measure(orm, "bulk_keys", bulk_orm(True), clear)

        singles = new_rows(sizes["singles"])

        def singles_core():
            for r in singles:
                conn.execute(insert(I).values(**r))
                conn.commit()

        def singles_orm():
            for r in singles:
                session.add(NewUser(**r))
                session.commit()

        measure(core, "singles", singles_core, clear)
        measure(orm, "singles", singles_orm, clear)

        ids = sizes["lookup_ids"]
        measure(core, "pk", lambda: [conn.execute(user_cols.where(U.c.id == i)).one() for i in ids])
        measure(orm, "pk", lambda: (session.expunge_all(), [session.get(User, i) for i in ids]))

        def hits():
            session.expunge_all()
            # The identity map holds objects weakly: keep them referenced, as an application would.
            loaded = [session.get(User, i) for i in ids]
            t = time.perf_counter()
            for i in ids:
                session.get(User, i)
            d = time.perf_counter() - t
            del loaded
            return d

        measure(orm, "pk_hit", hits)
        big = sizes["big"]
        measure(core, "rows", lambda: conn.execute(user_cols.limit(big)).all())
        measure(orm, "rows", lambda: session.execute(select(User.id, User.name, User.hair_color).limit(big)).all())
        measure(orm, "models", lambda: (session.expunge_all(), session.scalars(select(User).limit(big)).all()))
        conn.rollback()
        session.rollback()

        n_upd = sizes["bulk_update"]

        def update_core():
            stamp[0] += 1
            conn.execute(
                update(U).where(U.c.id == bindparam("uid")).values(name=bindparam("new_name")),
                [{"uid": i, "new_name": f"User {i} py{stamp[0]}"} for i in range(1, n_upd + 1)],
            )
            conn.commit()

        def update_orm():
            stamp[0] += 1
            session.expunge_all()
            users = session.scalars(select(User).where(User.id <= n_upd)).all()
            t = time.perf_counter()
            for u in users:
                u.name = f"User {u.id} py{stamp[0]}"
            session.commit()
            return time.perf_counter() - t

        measure(core, "bulk_update", update_core)
        measure(orm, "bulk_update", update_orm)

        dialect = engine.dialect

        def compile_cached():
            # What SQLAlchemy's execution path does: the statement's cache key, then a lookup.
            cache = {}
            for _ in range(sizes["compiles"]):
                key = medium._generate_cache_key().key
                if key not in cache:
                    cache[key] = medium.compile(dialect=dialect)

        measure(core, "compile_cached", compile_cached)
        measure(core, "compile_uncached", lambda: [medium.compile(dialect=dialect) for _ in range(sizes["compiles"])])
    engine.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
