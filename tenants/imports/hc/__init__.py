"""HC's own workbooks (java110 MicroCommunity, 小区管理系统), imported as HC writes them.

A kind of its own (`hc_assets`, HC 资产表) rather than a guess on the houses or residents upload:
one HC file carries houses and residents at once (so it needs both their permissions), names no
estate (so the upload asks for one), and its report speaks of several sheets. Its shape is then
recognised from the sheets (reader.py); what it holds is translated into our houses and residents
(assets.py, rooms.py) and checked and written by their own checks and writers (check.py).
"""
