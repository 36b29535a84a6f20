"""Small service catalogues and attribute specs for the three pilot industries, shared by the
NLU tests (the engine builds the same shapes from catalogue rows and pack vocabulary)."""

from __future__ import annotations

from backend.agent.nlu.attributes import AttributeOption as Opt
from backend.agent.nlu.attributes import AttributeSpec
from backend.agent.nlu.services_match import ServiceRef

AUTO = [
    ServiceRef("full", "Full Detail", ("full service detail",)),
    ServiceRef("int", "Interior Detail", ("interior cleaning",)),
    ServiceRef("ext", "Exterior Detail"),
    ServiceRef("wash", "Express Wash", ("quick wash", "basic wash")),
    ServiceRef("cer", "Ceramic Coating", ("ceramic",)),
    ServiceRef("pc", "Paint Correction", ("buff and polish",)),
]
LAWN = [
    ServiceRef("mow", "Lawn Mowing"),
    ServiceRef("edge", "Edging & Trimming"),
    ServiceRef("leaf", "Leaf Removal"),
    ServiceRef("aer", "Aeration"),
    ServiceRef("fert", "Fertilization", ("weed and feed",)),
    ServiceRef("hedge", "Hedge Trimming", ("bushes", "shrubs")),
]
CLEANING = [
    ServiceRef("std", "Standard Clean", ("regular clean", "maintenance clean")),
    ServiceRef("deep", "Deep Clean"),
    ServiceRef("move", "Move-Out Clean", ("end of lease",)),
]
ADDONS = [
    ServiceRef("pet", "Pet Hair Removal", ("dog hair",)),
    ServiceRef("eng", "Engine Bay Cleaning"),
    ServiceRef("head", "Headlight Restoration"),
    ServiceRef("clay", "Clay Bar"),
    ServiceRef("odor", "Odor Removal", ("smoke smell",)),
]

VEHICLE = AttributeSpec(
    "vehicle_size",
    [
        Opt("sedan", ("car", "coupe", "sedan", "hatchback")),
        Opt("suv", ("suv", "crossover", "jeep", "4runner")),
        Opt("truck", ("truck", "pickup", "f-150", "silverado")),
        Opt("van", ("van", "minivan")),
    ],
)
LOT = AttributeSpec(
    "lot_size",
    [
        Opt("small", ("small yard", "under 1/4 acre"), 0, 0.25, "acres"),
        Opt("medium", ("medium yard", "average yard"), 0.25, 0.5, "acre"),
        Opt("large", ("big yard", "large yard", "half acre", "1 acre"), 0.5, None, "acres"),
    ],
)
HOME = AttributeSpec(
    "home_size",
    [Opt("small", ("apartment", "condo"), 0, 1500, "sqft"), Opt("medium", (), 1500, 2500, "sq ft"), Opt("large", ("big house",), 2500, None, "square feet")],
)
BEDROOMS = AttributeSpec("bedrooms", [Opt("1-2", (), 1, 2, "bedrooms"), Opt("3", (), 3, 3, "bed"), Opt("4+", (), 4, None, "br")])
PET = AttributeSpec(
    "pet_size",
    [Opt("small", ("chihuahua", "yorkie", "shih tzu"), 0, 20, "lbs"), Opt("medium", ("beagle", "border collie"), 20, 50, "lb"), Opt("large", ("lab", "golden retriever", "german shepherd"), 50, None, "pounds")],
)
COAT = AttributeSpec("coat", [Opt("short", ("short hair", "short coat", "smooth")), Opt("long", ("long hair", "long coat", "fluffy", "double coat"))])
SPECS = [VEHICLE, LOT, HOME, BEDROOMS, PET, COAT]
