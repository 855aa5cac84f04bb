"""Who reads what in PostgreSQL: reader roles, row-level security, logins.

``fsw_reader_national`` reads every row of every table. ``fsw_reader_region_<code>`` (one per
region of ``dim_commune``) reads the rows of its region in every table that has a region, or a
site, outreach place, QPV, commune or department that resolves to one, plus the national rows
of the territorial marts (``territory_level = 'national'``: national totals are public), and
every row of the tables without a territory (dates, partners, themes, national growth). The
load ledger and quarantine (``fsw_loads``, ``fsw_quarantine``) hold rows of every region's
files: national readers only. Both kinds are group roles (NOLOGIN) with SELECT only; people
log in as members (`fsw serve postgres --grant … --user NAME`), read-only by default.

A policy that goes through a dimension (``site_key IN (SELECT site_key FROM dim_site)``) reads
that dimension under the reader's own policies, so a regional reader's facts follow its sites.
"""

from __future__ import annotations

import re

NATIONAL_ROLE = "fsw_reader_national"
REGION_ROLE_PREFIX = "fsw_reader_region_"
NATIONAL_ONLY = {"fsw_loads", "fsw_quarantine"}
REGION_CODE = re.compile(r"[0-9]{2}")
LOGIN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# How a table's rows resolve to a region, in order of preference: (columns, rule) where the
# rule is SQL with {schema} for the load schema and {region} for the region's code literal.
REGION_RULES: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"territory_level", "region_code"}), "region_code = {region} or territory_level = 'national'"),
    (frozenset({"region_code"}), "region_code = {region}"),
    (frozenset({"site_key"}), "site_key in (select site_key from {schema}.dim_site)"),
    (frozenset({"place_key"}), "place_key in (select place_key from {schema}.dim_outreach_place)"),
    (frozenset({"qpv_key"}), "qpv_key in (select qpv_key from {schema}.dim_qpv)"),
    (frozenset({"commune_code"}), "commune_code in (select commune_code from {schema}.dim_commune)"),
    (frozenset({"department_code"}), "department_code in (select department_code from {schema}.dim_commune)"),
)


def region_role(code: str) -> str:
    """The reader role of region ``code`` (two digits, as INSEE codes regions)."""
    if not REGION_CODE.fullmatch(code or ""):
        raise ValueError(f"invalid region code {code!r}: expected two digits such as 76")
    return f"{REGION_ROLE_PREFIX}{code}"


def region_rule(columns: list[str]) -> str | None:
    """The row rule of a table with these columns, or None when its rows belong to no region."""
    present = set(columns)
    for needed, rule in REGION_RULES:
        if needed <= present:
            return rule
    return None


def ensure_roles(pg, regions: list[str]) -> None:
    """Create the reader roles that are missing (NOLOGIN groups); the database refuses writes."""
    from psycopg import sql

    for role in [NATIONAL_ROLE, *(region_role(code) for code in regions)]:
        if pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone() is None:
            pg.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
    database = sql.Identifier(pg.execute("select current_database()").fetchone()[0])
    # No temporary tables, no schemas for anyone but the owner; the readers may connect.
    pg.execute(sql.SQL("revoke create, temporary on database {} from public").format(database))
    pg.execute("revoke create on schema public from public")
    readers = sql.SQL(", ").join(sql.Identifier(role) for role in reader_roles(pg))
    pg.execute(sql.SQL("grant connect on database {} to {}").format(database, readers))


def reader_roles(pg) -> list[str]:
    """Every reader role the database has."""
    rows = pg.execute(
        "select rolname from pg_roles where rolname = %s or rolname like %s order by rolname",
        [NATIONAL_ROLE, REGION_ROLE_PREFIX + "%"],
    ).fetchall()
    return [name for (name,) in rows]


def apply_access(pg, schema: str, tables: dict[str, list[str]], regions: list[str]) -> None:
    """Grants and row-level security on the tables of ``schema`` (before it is swapped in)."""
    from psycopg import sql

    national = sql.Identifier(NATIONAL_ROLE)
    regional = [sql.Identifier(region_role(code)) for code in regions]
    everyone = sql.SQL(", ").join([national, *regional])
    pg.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), everyone))
    for table, columns in tables.items():
        target = sql.Identifier(schema, table)
        if table in NATIONAL_ONLY or not regional:
            pg.execute(sql.SQL("grant select on {} to {}").format(target, national))
            continue
        pg.execute(sql.SQL("grant select on {} to {}").format(target, everyone))
        rule = region_rule(columns)
        if rule is None:
            continue
        pg.execute(sql.SQL("alter table {} enable row level security").format(target))
        pg.execute(sql.SQL("create policy fsw_national on {} for select to {} using (true)").format(target, national))
        for code in regions:
            condition = sql.SQL(rule).format(schema=sql.Identifier(schema), region=sql.Literal(code))
            pg.execute(
                sql.SQL("create policy {} on {} for select to {} using ({})").format(
                    sql.Identifier(f"fsw_region_{code}"), target, sql.Identifier(region_role(code)), condition
                )
            )


def parse_grant(grant: str) -> str:
    """The reader role of ``national`` or ``region:<code>``."""
    text = (grant or "").strip().lower()
    if text == "national":
        return NATIONAL_ROLE
    kind, _, code = text.partition(":")
    if kind == "region" and REGION_CODE.fullmatch(code):
        return region_role(code)
    raise ValueError(f"invalid grant {grant!r}: expected national or region:<code> (region:76)")


def grant_login(pg, user: str, role: str, password: str, *, schema: str = "fsw") -> str:
    """Create or update login ``user``, member of ``role`` only, read-only; a line saying what changed."""
    from psycopg import sql

    if not LOGIN_NAME.fullmatch(user or ""):
        raise ValueError(f"invalid user name {user!r}: lower-case letters, digits and _, 63 at most")
    if user == role or user.startswith(("fsw_reader_", "fsw_admin")):
        raise ValueError(f"invalid user name {user!r}: the fsw_reader_ and fsw_admin names are the warehouse's")
    if pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone() is None:
        raise ValueError(f"no role {role}: not a region of dim_commune, or nothing published to this server yet")
    existing = pg.execute("select rolsuper, rolcreaterole from pg_roles where rolname = %s", [user]).fetchone()
    name = sql.Identifier(user)
    # Hashed here (libpq, scram-sha-256): the clear password never reaches the server, its
    # statement log or pg_stat_activity.
    hashed = pg.pgconn.encrypt_password(password.encode(), user.encode(), b"scram-sha-256").decode()
    if existing is None:
        pg.execute(sql.SQL("create role {} login password {}").format(name, sql.Literal(hashed)))
        action = "created"
    else:
        if existing[0] or existing[1]:
            raise ValueError(f"{user} is an administrator role: choose another name")
        pg.execute(sql.SQL("alter role {} login password {}").format(name, sql.Literal(hashed)))
        action = "updated"
    for other in reader_roles(pg):
        if other != role:
            pg.execute(sql.SQL("revoke {} from {}").format(sql.Identifier(other), name))
    pg.execute(sql.SQL("grant {} to {}").format(sql.Identifier(role), name))
    pg.execute(sql.SQL("alter role {} set search_path = {}").format(name, sql.Identifier(schema)))
    pg.execute(sql.SQL("alter role {} set default_transaction_read_only = on").format(name))
    return f"login {user} {action}: member of {role}"
