from portal.dashboard.navigation import items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    node = user.jurisdiction
    trail = list(node.get_ancestors(include_self=True).only("id", "name")) if node else []
    return {"nav_items": items_for(user), "home_trail": trail}
