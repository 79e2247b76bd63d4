"""Agents: enterprises as views into the model's arrays, the agency's team, the public agency."""

from __future__ import annotations

import numpy as np
import pytest

from pipsim import PIPModel
from pipsim.agents import (
    SIZE_CLASSES,
    Enterprise,
    ExecutingAgency,
    PublicAgency,
    Status,
    Technician,
)
from tests.strategies import SMALL, run_to_end


@pytest.fixture
def model() -> PIPModel:
    m = PIPModel(rng=5, **SMALL)
    for _ in range(6):
        m.step()
    return m


def test_enterprises_are_registered_agents(model):
    firms = list(model.agents_by_type[Enterprise])
    assert len(firms) == model.n == len(model.enterprises)
    assert sorted(f.index for f in firms) == list(range(model.n))
    assert len({f.unique_id for f in model.agents}) == len(model.agents)
    assert len(model.agents_by_type[ExecutingAgency]) == 1
    assert len(model.agents_by_type[PublicAgency]) == 1


def test_enterprise_properties_read_the_arrays(model):
    agency = model.trust_in_agency()
    for f in model.enterprises:
        i = f.index
        assert f.status == Status(int(model.status[i]))
        assert f.motivation == model.motivation[i]
        assert f.trust_in_agency == agency[i]
        assert f.trust_in_public == model.trust_public[i]
        assert f.trust_in_collective_action == model.trust_collective[i]
        assert f.capability == model.capability[i]
        assert f.patience == model.patience[i]
        assert f.size_class in SIZE_CLASSES
        assert f.exporter == bool(model.exporter[i])
        assert f.sales == pytest.approx(model.baseline_sales[i] * model.sales_index()[i])
        assert f.productivity > 0 and f.employees >= 1
        for g in model.enterprises:
            assert f.trust_in(g) == model.trust[i, g.index]


def test_lead_firms_are_large_and_take_part_from_the_start():
    m = PIPModel(rng=1, **SMALL)
    leads = [f for f in m.enterprises if f.is_lead_firm]
    assert len(leads) == SMALL["n_lead_firms"]
    assert all(f.size_class == "large" for f in leads)
    assert all(f.status == Status.PARTICIPATING for f in leads)


def test_initial_participants_take_part_and_the_rest_are_outside():
    m = PIPModel(rng=2, **SMALL)
    statuses = [f.status for f in m.enterprises]
    assert statuses.count(Status.PARTICIPATING) == SMALL["initial_participants"]
    assert statuses.count(Status.OUTSIDE) == SMALL["n_enterprises"] - SMALL["initial_participants"]


def test_technician_presence():
    model = PIPModel(rng=1, **SMALL)
    model.vacant_until[0] = 4  # the post is empty until month 4
    t = model.agency.technicians[0]
    assert isinstance(t, Technician) and t.vacant_until == 4
    assert not t.present(3)
    assert t.present(4) and t.present(10)
    assert t.skill == model.technician_skill[0]


def test_the_team_is_gone_once_the_agency_has_left():
    m = run_to_end(PIPModel(rng=3, staff_turnover=0.0, **SMALL))
    assert not m.agency.present_in_territory
    assert m.agency.team_present(m.steps) == []
    assert len(m.agency.technicians) == m.p.n_technicians


def test_technician_skills_are_in_range():
    m = PIPModel(rng=4, n_technicians=20, technician_skill=0.95, **SMALL)
    skills = np.array([t.skill for t in m.agency.technicians])
    assert np.all((skills >= 0) & (skills <= 1))


def test_public_agency_starts_committed_and_counts_its_actions():
    m = PIPModel(rng=6, public_actions_per_year=12.0, **SMALL)
    assert m.public.commitment == m.p.public_commitment
    assert m.public.high_level_present is m.p.high_level_participation
    run_to_end(m)
    assert m.public.actions_kept == m.counts["public_actions_kept"]
    assert m.public.actions_broken == m.counts["public_actions_broken"]
    assert m.public.actions_kept + m.public.actions_broken > 0


@pytest.mark.parametrize("commitment", [0.0, 1.0])
def test_public_commitment_decides_whether_actions_are_kept(commitment):
    m = run_to_end(
        PIPModel(
            rng=7,
            public_commitment=commitment,
            public_actions_per_year=12.0,
            political_crisis_rate=0.0,
            **SMALL,
        )
    )
    if commitment == 0.0:
        assert m.public.actions_kept == 0 and m.public.actions_broken > 0
    else:
        assert m.public.actions_broken == 0 and m.public.actions_kept > 0
