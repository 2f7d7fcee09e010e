"""Directorate -> Service -> Team, as the council is organised."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db


class Directorate(db.Model):
    """Children's or adults' social care. ``code`` is what tools declare."""

    __tablename__ = "directorate"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    services: Mapped[list[Service]] = relationship(
        back_populates="directorate", order_by="Service.name"
    )

    def __repr__(self) -> str:
        return f"<Directorate {self.code}>"


class Service(db.Model):
    """A service in scope of the audit framework, e.g. Children in Care."""

    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    directorate_id: Mapped[int] = mapped_column(ForeignKey("directorate.id"))
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    directorate: Mapped[Directorate] = relationship(back_populates="services")
    teams: Mapped[list[Team]] = relationship(back_populates="service", order_by="Team.name")

    def __repr__(self) -> str:
        return f"<Service {self.name}>"


class Team(db.Model):
    """A team within a service; team managers audit their own team's files."""

    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("service_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)

    service: Mapped[Service] = relationship(back_populates="teams")

    def __repr__(self) -> str:
        return f"<Team {self.name}>"
