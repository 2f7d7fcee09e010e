"""A person's own account: setting a password from a one-time link, and changing it.

* ``links``: the one-time, expiring set-up link an administrator emails instead of
  typing a password (and that new staff from the staff import receive);
* ``views``: the pages to set a password from a link and to change one's own;
* ``emails``: sending the link.
"""
