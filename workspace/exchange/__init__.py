"""National-platform data exchange: column layouts as data (`ExchangeLayout`), the field registry
they may use (`registry`), and rendering a layout into export columns (`render`)."""
