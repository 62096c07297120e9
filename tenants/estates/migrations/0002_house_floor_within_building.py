"""A building's floors bound its houses' floors — held by the database, not only by the services,
so bulk imports, raw SQL and later modules cannot break it. A CHECK constraint cannot look at
another table, hence two triggers: one on houses (insert, a changed floor or building) and one on
buildings (fewer floors or basement floors than a house needs)."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION estates_house_floor_within_building() RETURNS trigger AS $$
DECLARE
    top smallint;
    bottom smallint;
BEGIN
    SELECT floors, basement_floors INTO top, bottom FROM estates_building WHERE id = NEW.building_id;
    IF NEW.floor = 0 OR NEW.floor > top OR NEW.floor < -bottom THEN
        RAISE EXCEPTION 'house floor % outside building % (floors %, basement %)',
            NEW.floor, NEW.building_id, top, bottom
            USING ERRCODE = 'check_violation', CONSTRAINT = 'house_floor_within_building';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER house_floor_within_building
    BEFORE INSERT OR UPDATE OF floor, building_id ON estates_house
    FOR EACH ROW EXECUTE FUNCTION estates_house_floor_within_building();

CREATE OR REPLACE FUNCTION estates_building_covers_its_houses() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM estates_house
        WHERE building_id = NEW.id AND (floor > NEW.floors OR floor < -NEW.basement_floors)
    ) THEN
        RAISE EXCEPTION 'building % has houses outside floors % / basement %',
            NEW.id, NEW.floors, NEW.basement_floors
            USING ERRCODE = 'check_violation', CONSTRAINT = 'building_covers_its_houses';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER building_covers_its_houses
    BEFORE UPDATE OF floors, basement_floors ON estates_building
    FOR EACH ROW EXECUTE FUNCTION estates_building_covers_its_houses();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS building_covers_its_houses ON estates_building;
DROP FUNCTION IF EXISTS estates_building_covers_its_houses();
DROP TRIGGER IF EXISTS house_floor_within_building ON estates_house;
DROP FUNCTION IF EXISTS estates_house_floor_within_building();
"""


class Migration(migrations.Migration):
    dependencies = [("estates", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
