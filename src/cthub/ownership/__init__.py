"""Beneficial ownership and crypto-asset screening: who owns or controls an entity, and which
crypto-asset addresses a sanctions list attributes to a listed holder.

Ingest and the edge store (``ingest/``, ``store``, ``views``, ``linking``): BODS 0.2/0.3 and
0.4, the UK PSC snapshot and FollowTheMoney ``Ownership`` entities are loaded one file per
transaction into one edge store (owner, asset, interest, share interval, dates, source), with a
report per bad record; ``edges_table`` hands the edges to the computation as Arrow; ``links``
joins an entity to sanctions list entries and finance accounts.
"""

from cthub.ownership.ingest import OwnershipFormat, Problem
from cthub.ownership.ingest import registry as formats
from cthub.ownership.linking import AccountLink, Links, ListLink, links
from cthub.ownership.store import LoadResult, files_in, load_file
from cthub.ownership.views import (
    EDGE_SCHEMA,
    ENTITY_SCHEMA,
    EdgeView,
    EntityView,
    edges_table,
    entities_table,
    entity,
    search_entities,
)

__all__ = [
    "EDGE_SCHEMA",
    "ENTITY_SCHEMA",
    "AccountLink",
    "EdgeView",
    "EntityView",
    "Links",
    "ListLink",
    "LoadResult",
    "OwnershipFormat",
    "Problem",
    "edges_table",
    "entities_table",
    "entity",
    "files_in",
    "formats",
    "links",
    "load_file",
    "search_entities",
]
