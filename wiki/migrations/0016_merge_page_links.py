# The page links (0015) do not depend on the rating models' move (0014): both follow 0013,
# so that migrating the ratings app back (tests/ratings/test_migration.py) keeps the links.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("wiki", "0014_move_ratings"),
        ("wiki", "0015_page_links"),
    ]

    operations = []
