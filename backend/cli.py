"""Operator CLI: `python -m backend.cli --help`.

Commands print human text by default and JSON with `--json` where a machine reads the output.
A UserError becomes a one-line message and exit code 2; configuration problems exit 1.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Optional

import typer
from pydantic import ValidationError

from backend.config import configuration_problems, get_settings
from backend.errors import UserError, pydantic_message

app = typer.Typer(add_completion=False, no_args_is_help=True, help="ServicePro operator commands.")


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def emit(data, as_json: bool, human: str = "") -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        typer.echo(human or json.dumps(data, indent=2, default=str))


@app.command()
def migrate() -> None:
    """Apply all database migrations (owner connection)."""
    from backend.db.migrate import upgrade

    upgrade()
    typer.echo("migrations applied")


@app.command("db-bootstrap")
def db_bootstrap(
    admin_url: str = typer.Option("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", help="Superuser URL"),
    database: str = typer.Option("servicepro"),
    owner_role: str = typer.Option("servicepro_owner"),
    app_role: str = typer.Option("servicepro_app"),
) -> None:
    """Create the PostgreSQL owner/app roles and database (idempotent)."""
    from backend.db.postgres import bootstrap

    bootstrap(admin_url, database, owner_role, app_role)
    typer.echo(
        f"database {database} ready: DATABASE_URL=postgresql+psycopg://{app_role}@HOST/{database} "
        f"DATABASE_OWNER_URL=postgresql+psycopg://{owner_role}@HOST/{database}"
    )


@app.command("seed-demo")
def seed_demo() -> None:
    """Create the demo tenants and logins (safe to run again)."""
    from backend.demo.seed import DEMO_LOGINS, DEMO_PASSWORD
    from backend.demo.seed import seed_demo as run_seed

    ids = run_seed()
    typer.echo(f"demo data ready ({len(ids)} businesses)")
    for login in DEMO_LOGINS:
        typer.echo(f"  {login.email:32} {DEMO_PASSWORD}  ({login.role}, {login.tenant_slug}"
                   f"{', platform owner' if login.super_admin else ''})")


@app.command("create-tenant")
def create_tenant(
    name: str = typer.Option(...),
    slug: str = typer.Option(...),
    industry: str = typer.Option("other_services"),
    plan: str = typer.Option("starter"),
    status: str = typer.Option("trialing"),
    timezone: str = typer.Option("America/Chicago"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a tenant."""
    from backend.tenancy import actions as tenancy_actions
    from backend.tenancy.models import TenantCreate

    try:
        tenant_in = TenantCreate(name=name, slug=slug, industry=industry, plan_tier=plan, status=status,
                                 timezone=timezone)
        tenant = tenancy_actions.create_tenant(tenant_in, acting_user=None)
    except ValidationError as exc:
        fail(pydantic_message(exc))
    except UserError as exc:
        fail(str(exc))
    emit({"id": tenant.id, "slug": tenant.slug, "name": tenant.name}, as_json, f"created {tenant.slug} ({tenant.id})")


@app.command("create-user")
def create_user(
    email: str = typer.Option(...),
    name: str = typer.Option(...),
    password: str = typer.Option(..., prompt=True, hide_input=True),
    tenant: Optional[str] = typer.Option(None, help="Tenant slug to join"),
    role: str = typer.Option("staff"),
    super_admin: bool = typer.Option(False, "--super-admin"),
) -> None:
    """Create a staff user, optionally with a role in a tenant."""
    from backend.auth import actions as auth_actions
    from backend.db.session import platform_session, tenant_session
    from backend.tenancy import service as tenancy_service

    try:
        tenant_row = None
        if tenant:
            with platform_session("cli") as db:
                tenant_row = tenancy_service.get_by_slug(db, slug=tenant)
            if tenant_row is None:
                fail(f"no tenant with slug {tenant!r}")
        user = auth_actions.create_user(email=email, name=name, password=password, is_super_admin=super_admin)
        if tenant_row is not None:
            with tenant_session(tenant_row.id) as db:
                auth_actions.do_add_membership(db, tenant_id=tenant_row.id, user_id=user.id, role=role,
                                               acting_user=None)
    except UserError as exc:
        fail(str(exc))
    typer.echo(f"created {user.email}")


@app.command()
def check() -> None:
    """Print configuration problems; exit 1 if there are any."""
    problems = configuration_problems()
    settings = get_settings()
    if settings.is_postgres and not problems:
        from backend.db.engine import get_engine
        from backend.db.postgres import role_problems

        try:
            problems += role_problems(get_engine())
        except Exception as exc:  # unreachable database is a configuration problem too
            problems.append(f"cannot connect to the database: {exc}")
    if problems:
        for problem in problems:
            typer.echo(f"problem: {problem}")
        raise typer.Exit(1)
    typer.echo("configuration ok")


# Each area adds its commands from its own module: `def register(app: typer.Typer) -> None`.
CLI_MODULES: tuple[str, ...] = ("backend.messaging.cli", "backend.scheduling.cli")


def _register_area_commands() -> None:
    import importlib

    for name in CLI_MODULES:
        importlib.import_module(name).register(app)


_register_area_commands()


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    sys.exit(main())
