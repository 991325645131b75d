## Erasing a visitor's personal data (a GDPR request), from a conversation's page.

erasure-title = Erase a visitor's data
erasure-question = Erase this visitor's data?
erasure-what = The visitor's name, e-mail address, the pages they were on and every message of their conversations, the agents' answers included, become unreadable: in the history, the API, the event log and every export made from now on. Who answered, and when, stays. Their browser is treated as a new visitor next time.
erasure-final = This cannot be undone.
erasure-confirm = Yes, erase this visitor's data
erasure-button = Erase the data
erasure-cancel = Cancel
erasure-tick = Tick the box to confirm the erasure.
