"""The round jobs a person runs (`make round`, `ape run round`) and what they print."""
