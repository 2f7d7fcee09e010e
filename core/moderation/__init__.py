"""Moderation of line-management audits: independent reviewers audit the auditors.

Each month a share of the submitted line-management audits of case files is drawn at
random (seeded and logged, like allocation) and allocated to QA officers / IROs
(``draw``). The moderator audits the same file blind, without seeing the first audit
(``blind``); then sees both side by side and records agreement per standard and
overall (``comparison``); the line auditor and their managers are told. The agreement
page reports exact agreement, weighted kappa and grade drift (``statistics``,
``analytics``).
"""
