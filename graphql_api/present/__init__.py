"""What a portfolio looks like to the people it is shown to: exports and pictures.

- ``content``: one read of everything an export shows (owner-filtered), as plain records.
- ``documents``: the portfolio as JSON, and the resume as a JSON Resume (jsonresume.org).
- ``markdown`` and ``html``: the same two documents as Markdown and as a self-contained,
  printable HTML page (Jinja2 templates, autoescaped).
- ``cards`` and ``card_route``: SVG cards (top languages, top skills, activity calendar),
  served per portfolio version with an ETag, in a light or a dark theme.
"""
