"""``{% node_figures node %}``: the figures of a node's subtree on the tree browser's page.

A tag of the top layer, so that the ``jurisdictions`` app (which imports no other app) can show the
units and equipment under a node without knowing them.
"""

from django import template

from portal.dashboard.views import node_figures as figures_of

register = template.Library()


@register.inclusion_tag("dashboard/_node_figures.html", takes_context=True)
def node_figures(context, node):
    return {"node": node, "figures": figures_of(node, context["request"].user)}
