import heapq
import math
from datetime import datetime


def calculate_user_metrics(users, start_date, end_date):
    def parse(value):
        try:
            return datetime.strptime(str(value), "%Y-%m-%d").date()
        except (TypeError, ValueError):
            return None

    result = {"average_engagement": 0.0, "top_performers": [], "active_count": 0}
    start, end = parse(start_date), parse(end_date)
    if not users or start is None or end is None or start > end:
        return result

    def num(user, key):
        try:
            value = float(user.get(key, 0))
        except (TypeError, ValueError):
            return 0.0
        return value if math.isfinite(value) and value >= 0 else 0.0

    scored = []
    for index, user in enumerate(users):
        if not isinstance(user, dict):
            continue
        login = parse(user.get("last_login"))
        if login is None or not (start <= login <= end):
            continue
        days = num(user, "days_active")
        score = num(user, "posts") * 2 + num(user, "comments") * 1.5 + num(user, "likes") * 0.1
        engagement = score / days if days > 0 else 0.0
        scored.append((engagement, -index, user))

    if not scored:
        return result
    top = heapq.nlargest(5, scored, key=lambda item: (item[0], item[1]))
    return {
        "average_engagement": sum(item[0] for item in scored) / len(scored),
        "top_performers": [dict(item[2]) for item in top],
        "active_count": len(scored),
    }
