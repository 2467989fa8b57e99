"""What operators watch: health, the metrics endpoint, request logging. It observes every
app; no app imports it."""
