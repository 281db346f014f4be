from portal.inbox import services


def unread(request):
    """The top bar's bell: the user's unread count, one COUNT on the partial index, counted only when a template
    reads it (a page without the top bar pays nothing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counted = []

    def count() -> int:
        if not counted:
            counted.append(services.unread_count(user))
        return counted[0]

    return {"inbox_unread": count}
