"""The Shopify store: webhook verification, order mapping, and fulfilments through the Admin API."""
