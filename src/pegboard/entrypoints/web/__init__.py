"""Pages for people: the web app (sign-in, Today, orders, ...) and the customer status page."""
