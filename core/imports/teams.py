"""Finding the team a row names, and creating teams an import may create.

Staff files and case lists name teams as people write them ("cin north",
"CIN North"), and two services may each have a team of the same name. Both
importers resolve a team the same way: by name, case-insensitively, narrowed
by the row's service where one is given. Teams to create are only planned
while checking (``check`` never writes) and inserted by ``create``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select

from core.extensions import db
from core.models import Service, Team

#: A team to be created is keyed by its service and lower-cased name until it has an id.
NewTeamKey = tuple[int, str]


@dataclass(frozen=True, slots=True)
class TeamRef:
    """A team a row resolved to: an existing one (``id``) or one the import creates."""

    name: str
    service_id: int
    directorate_id: int
    id: int | None = None

    @property
    def new_key(self) -> NewTeamKey:
        return (self.service_id, self.name.lower())


@dataclass(frozen=True, slots=True)
class ServiceRef:
    id: int
    name: str
    directorate_id: int


@dataclass
class TeamLookup:
    """Every team and service, loaded once; ``find`` answers from memory."""

    create_teams: bool = False
    services: dict[str, ServiceRef] = field(default_factory=dict)
    services_by_id: dict[int, ServiceRef] = field(default_factory=dict)
    teams: dict[str, list[TeamRef]] = field(default_factory=dict)
    #: Teams to create, in the order first named.
    new_teams: dict[NewTeamKey, TeamRef] = field(default_factory=dict)
    #: Team names the file uses that careaudit does not have (created or not).
    unknown: dict[str, str] = field(default_factory=dict)
    _cache: dict[tuple[str, str], tuple[TeamRef | None, str]] = field(default_factory=dict)
    _active: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, create_teams: bool = False) -> TeamLookup:
        lookup = cls(create_teams=create_teams)
        for id_, name, directorate_id in db.session.execute(
            select(Service.id, Service.name, Service.directorate_id)
        ):
            ref = ServiceRef(id_, name, directorate_id)
            lookup.services[name.strip().lower()] = ref
            lookup.services_by_id[id_] = ref
        for id_, name, service_id, active in db.session.execute(
            select(Team.id, Team.name, Team.service_id, Team.active).order_by(Team.id)
        ):
            service = lookup.services_by_id[service_id]
            team = TeamRef(name, service_id, service.directorate_id, id_)
            lookup.teams.setdefault(name.strip().lower(), []).append(team)
            if active:
                lookup._active.add(id_)
        return lookup

    def service(self, name: str) -> ServiceRef | None:
        return self.services.get(name.strip().lower())

    def find(self, team_name: str, service_name: str = "") -> tuple[TeamRef | None, str]:
        """The team a row names, or ``None`` and the reason it cannot be found.

        ``service_name`` narrows the search when two services have a team of
        the same name, and is the service of a team created with ``create_teams``.
        """
        key = (team_name.strip().lower(), service_name.strip().lower())
        if key not in self._cache:
            self._cache[key] = self._find(team_name.strip(), service_name.strip())
        return self._cache[key]

    def _find(self, team_name: str, service_name: str) -> tuple[TeamRef | None, str]:
        if not team_name:
            return None, "The team is missing"
        if len(team_name) > 120:
            return None, "The team's name is longer than 120 characters"
        service = self.service(service_name) if service_name else None
        if service_name and service is None:
            return None, f"Service “{service_name}” is not in careaudit"
        candidates = self.teams.get(team_name.lower(), [])
        if service is not None:
            candidates = [t for t in candidates if t.service_id == service.id]
        if len(candidates) > 1:
            # A deactivated namesake does not make the name ambiguous.
            active = [t for t in candidates if t.id in self._active]
            candidates = active if len(active) == 1 else candidates
        if len(candidates) == 1:
            return candidates[0], ""
        if candidates:
            names = ", ".join(sorted(self.services_by_id[t.service_id].name for t in candidates))
            return None, (
                f"Team “{team_name}” is in more than one service ({names}): "
                "give its service in the Service column"
            )
        self.unknown.setdefault(team_name.lower(), team_name)
        if self.create_teams and service is not None:
            ref = TeamRef(team_name, service.id, service.directorate_id)
            return self.new_teams.setdefault(ref.new_key, ref), ""
        where = f" in {service.name}" if service is not None else ""
        if self.create_teams:
            how = "give its service in the Service column so careaudit can create it"
        else:
            how = "add it under Administration, or import with the option to create teams"
        return None, f"Team “{team_name}”{where} is not in careaudit: {how}"

    def created_names(self) -> list[str]:
        """The teams the import creates, as "Team (Service)" for the user."""
        return [
            f"{t.name} ({self.services_by_id[t.service_id].name})" for t in self.new_teams.values()
        ]

    def unknown_names(self) -> list[str]:
        return sorted(self.unknown.values(), key=str.lower)

    def create(self, only: set[NewTeamKey] | None = None) -> dict[NewTeamKey, int]:
        """Insert the planned teams (those in ``only``, if given); their ids by key."""
        rows = [
            {"name": t.name, "service_id": t.service_id, "active": True}
            for key, t in self.new_teams.items()
            if only is None or key in only
        ]
        if not rows:
            return {}
        db.session.execute(insert(Team), rows)
        service_ids = {r["service_id"] for r in rows}
        return {
            (service_id, name.lower()): id_
            for id_, name, service_id in db.session.execute(
                select(Team.id, Team.name, Team.service_id).where(Team.service_id.in_(service_ids))
            )
        }


def team_id(ref: TeamRef, created: dict[NewTeamKey, int]) -> int:
    """The id of an existing team, or of the one just created for ``ref``."""
    return ref.id if ref.id is not None else created[ref.new_key]
