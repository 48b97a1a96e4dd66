"""Development tools of the addon, outside the registry: no model of a
production database comes from here."""
