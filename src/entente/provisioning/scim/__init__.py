"""SCIM 2.0 adapter (RFC 7643/7644): translates SCIM requests into calls of Entente's services."""
