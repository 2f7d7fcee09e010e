"""The emails careaudit has sent the signed-in user (``careaudit remind``)."""
