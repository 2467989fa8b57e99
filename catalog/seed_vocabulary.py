"""Word lists `manage.py seed_catalog` builds its demo catalog from. The search benchmark
(bench/search.py) draws its queries from the same words, so they find something."""

# fmt: off
# category -> (typical price in EUR, nouns sold in it)
CATEGORIES: dict[str, tuple[float, list[str]]] = {
    "Kitchen": (
        35.0,
        [
            "Kettle", "Teapot", "Coffee Grinder", "French Press", "Cutting Board", "Chef Knife",
            "Mixing Bowl", "Salad Spoon", "Spice Rack", "Bread Box", "Colander", "Rolling Pin",
            "Saucepan", "Skillet", "Dutch Oven", "Butter Dish", "Pepper Mill", "Measuring Cup",
            "Serving Tray", "Fruit Bowl", "Utensil Holder", "Oven Mitt", "Water Jug", "Mug",
            "Espresso Cup", "Canister", "Trivet", "Ladle", "Whisk", "Cheese Board",
            "Crème Brûlée Torch", "Crêpe Pan", "Soufflé Dish", "Café Mug", "Fondue Set",
        ],
    ),
    "Home Decor": (
        45.0,
        [
            "Vase", "Candle Holder", "Picture Frame", "Wall Clock", "Mirror", "Planter",
            "Throw Pillow", "Table Runner", "Lantern", "Bookend", "Wall Shelf", "Coat Hook",
            "Doormat", "Rug", "Tapestry", "Sculpture", "Jewelry Box", "Tray", "Coaster Set",
            "Flower Pot", "Key Holder", "Wreath", "Terrarium", "Hourglass", "Music Box",
            "Papier-Mâché Bowl", "Photo Album",
        ],
    ),
    "Lighting": (
        70.0,
        [
            "Desk Lamp", "Floor Lamp", "Table Lamp", "Pendant Light", "Wall Sconce",
            "String Lights", "Reading Light", "Night Light", "Chandelier", "Lamp Shade",
            "Ceiling Light", "Bedside Lamp", "Garden Light", "Candle Lantern", "Light Bulb",
            "Spotlight", "Torch", "Strip Light", "Flashlight", "Headlamp",
        ],
    ),
    "Furniture": (
        220.0,
        [
            "Desk", "Dining Table", "Coffee Table", "Side Table", "Bookshelf", "Armchair",
            "Rocking Chair", "Stool", "Bench", "Bed Frame", "Nightstand", "Dresser", "Wardrobe",
            "Sofa", "Ottoman", "Console Table", "Shoe Rack", "Cabinet", "Sideboard", "Chair",
            "Bar Stool", "Writing Desk", "Footstool", "Hall Tree", "Daybed", "Café Table",
            "Chaise Longue", "Étagère", "Television Stand", "Bunk Bed", "Crib",
        ],
    ),
    "Textiles": (
        40.0,
        [
            "Blanket", "Quilt", "Duvet Cover", "Pillowcase", "Bath Towel", "Tea Towel",
            "Tablecloth", "Napkin Set", "Curtain", "Bath Mat", "Throw", "Apron", "Bedspread",
            "Cushion Cover", "Beach Towel", "Hand Towel", "Sheet Set", "Placemat",
            "Matelassé Coverlet",
        ],
    ),
    "Clothing": (
        55.0,
        [
            "Sweater", "Cardigan", "Scarf", "Beanie", "Jacket", "Raincoat", "Shirt", "Dress",
            "Skirt", "Hoodie", "Vest", "Gloves", "Socks", "Hat", "Poncho", "Kimono", "Overalls",
            "Trousers", "Blouse", "Parka", "Mittens", "Shawl", "Bathrobe", "Pajamas",
            "Boots", "Running Shoes", "Sneakers", "Slippers", "Sandals", "Jeans", "Négligée",
        ],
    ),
    "Accessories": (
        45.0,
        [
            "Backpack", "Tote Bag", "Wallet", "Belt", "Watch", "Sunglasses", "Umbrella",
            "Card Holder", "Messenger Bag", "Duffel Bag", "Keychain", "Passport Cover",
            "Laptop Sleeve", "Phone Case", "Bracelet", "Necklace", "Earrings", "Ring",
            "Hair Clip", "Cufflinks", "Pouch", "Crossbody Bag", "Weekender Bag",
        ],
    ),
    "Stationery": (
        18.0,
        [
            "Notebook", "Journal", "Sketchbook", "Fountain Pen", "Pencil Case", "Desk Organizer",
            "Planner", "Letter Opener", "Paperweight", "Bookmark", "Pen Holder", "Calendar",
            "Greeting Card", "Envelope Set", "Stamp Set", "Ink Bottle", "Clipboard",
            "Document Folder", "Postcard Set", "Washi Tape",
        ],
    ),
    "Garden": (
        50.0,
        [
            "Watering Can", "Garden Trowel", "Pruning Shears", "Bird Feeder", "Bird House",
            "Plant Stand", "Hose Reel", "Raised Bed", "Seed Tray", "Garden Kneeler",
            "Wind Chime", "Compost Bin", "Rain Barrel", "Hanging Basket", "Garden Fork",
            "Wheelbarrow", "Sun Lounger", "Patio Chair", "Fire Pit", "Hammock",
        ],
    ),
    "Toys": (
        28.0,
        [
            "Puzzle", "Building Blocks", "Rocking Horse", "Doll House", "Toy Train",
            "Stuffed Bear", "Kite", "Yo-Yo", "Spinning Top", "Board Game", "Marble Run",
            "Stacking Rings", "Pull Toy", "Puppet", "Play Kitchen", "Xylophone", "Toy Car",
            "Jigsaw", "Card Game", "Shape Sorter", "Bicycle", "Tricycle", "Piñata",
            "Teddy Bear",
        ],
    ),
    "Sports": (
        60.0,
        [
            "Yoga Mat", "Water Bottle", "Jump Rope", "Dumbbell", "Tennis Racket", "Bicycle Bell",
            "Climbing Chalk Bag", "Camping Stove", "Tent", "Sleeping Bag", "Trekking Pole",
            "Running Belt", "Gym Bag", "Skateboard", "Frisbee", "Football", "Basketball",
            "Fishing Rod", "Cooler Box", "Thermos", "Running Shoes", "Cycling Gloves",
            "Swim Goggles",
        ],
    ),
    "Electronics": (
        90.0,
        [
            "Bluetooth Speaker", "Headphones", "Phone Charger", "Power Bank", "Desk Fan",
            "Alarm Clock", "Radio", "Record Player", "Keyboard", "Mouse", "Monitor Stand",
            "USB Hub", "Webcam", "Smart Plug", "Earbuds", "E-Reader Cover", "Cable Organizer",
            "Wireless Charger", "Turntable", "Soundbar", "Television", "Laptop Stand",
            "Wireless Mouse",
        ],
    ),
    "Bath": (
        25.0,
        [
            "Soap Dish", "Soap Bar", "Bath Brush", "Toothbrush Holder", "Shower Caddy",
            "Towel Rack", "Laundry Basket", "Bath Bomb", "Shaving Brush", "Loofah", "Comb",
            "Hair Brush", "Body Lotion", "Hand Cream", "Lotion Dispenser", "Bath Tray",
        ],
    ),
    "Pets": (
        30.0,
        [
            "Dog Bed", "Cat Tree", "Dog Leash", "Dog Collar", "Pet Bowl", "Cat Toy", "Chew Toy",
            "Pet Carrier", "Scratching Post", "Dog Coat", "Aquarium", "Bird Cage", "Litter Box",
            "Treat Jar", "Pet Blanket",
        ],
    ),
}

ADJECTIVES: list[str] = [
    "Vintage", "Modern", "Rustic", "Handmade", "Minimalist", "Classic", "Elegant", "Compact",
    "Portable", "Cozy", "Sturdy", "Lightweight", "Folding", "Antique", "Scandinavian",
    "Industrial", "Bohemian", "Retro", "Luxury", "Everyday", "Oversized", "Mini", "Artisan",
    "Hand-Painted", "Hand-Carved", "Woven", "Reclaimed", "Organic", "Eco-Friendly", "Premium",
    "Japanese", "French", "Nordic", "Mediterranean", "Coastal", "Farmhouse", "Mid-Century",
    "Geometric", "Striped", "Floral", "Speckled", "Matte", "Glossy", "Textured", "Smooth",
    "Weathered", "Polished", "Brushed", "Hammered", "Quilted", "Padded", "Waterproof",
    "Adjustable", "Stackable", "Reversible", "Convertible", "Cordless", "Rechargeable", "Slim",
    "Chunky", "Soft", "Warm", "Bright", "Sleek", "Timeless", "Whimsical", "Charming",
    "Provençal", "Rococo", "Bohème",
]

MATERIALS: list[str] = [
    "Walnut", "Oak", "Maple", "Cherry", "Bamboo", "Teak", "Pine", "Birch", "Acacia", "Beech",
    "Ceramic", "Porcelain", "Stoneware", "Terracotta", "Glass", "Crystal", "Marble", "Granite",
    "Slate", "Concrete", "Brass", "Copper", "Bronze", "Steel", "Stainless Steel", "Cast Iron",
    "Aluminium", "Leather", "Suede", "Wool", "Merino", "Cashmere", "Cotton", "Linen", "Silk",
    "Velvet", "Denim", "Canvas", "Jute", "Rattan", "Wicker", "Cork", "Felt", "Hemp",
    "Recycled Plastic", "Silicone", "Paper", "Resin", "Enamel", "Pewter", "Silver", "Gold",
]

COLORS: list[str] = [
    "Black", "White", "Ivory", "Cream", "Beige", "Sand", "Grey", "Charcoal", "Navy", "Blue",
    "Sky Blue", "Teal", "Turquoise", "Green", "Sage", "Olive", "Forest Green", "Mint", "Yellow",
    "Mustard", "Orange", "Terracotta Red", "Red", "Burgundy", "Pink", "Blush", "Purple",
    "Lavender", "Brown", "Chocolate", "Rose Gold",
]

# Tags beyond categories, materials and colours: styles, features, occasions, audiences.
EXTRA_TAGS: list[str] = [
    "Gift Idea", "Best Seller", "New Arrival", "Limited Edition", "Handmade", "Vintage",
    "Upcycled", "Sustainable", "Fair Trade", "Organic", "Vegan", "Locally Made", "Small Batch",
    "One of a Kind", "Personalized", "Custom Order", "Made to Order", "Ready to Ship",
    "Free Shipping", "On Sale", "Clearance", "Bundle", "Set of Two", "Set of Four",
    "Christmas", "Easter", "Halloween", "Valentine's Day", "Mother's Day", "Father's Day",
    "Birthday", "Wedding", "Anniversary", "Housewarming", "Baby Shower", "Graduation",
    "Back to School", "Summer", "Winter", "Spring", "Autumn", "Holiday", "For Him", "For Her",
    "For Kids", "For Babies", "For Teens", "For Pets", "For Cooks", "For Gardeners",
    "For Readers", "For Travelers", "For Runners", "For Campers", "For Artists",
    "For Musicians", "Minimalist", "Rustic", "Modern", "Scandinavian", "Industrial",
    "Bohemian", "Retro", "Mid-Century", "Farmhouse", "Coastal", "Japandi", "Art Deco",
    "Cottagecore", "Boho Chic", "Shabby Chic", "Luxury", "Budget", "Compact", "Portable",
    "Waterproof", "Dishwasher Safe", "Microwave Safe", "Machine Washable", "Hand Wash Only",
    "Rechargeable", "Battery Powered", "Solar Powered", "Wireless", "Foldable", "Stackable",
    "Adjustable", "Ergonomic", "Hypoallergenic", "Non-Toxic", "BPA Free", "Food Safe",
    "Plastic Free", "Zero Waste", "Recycled", "Biodegradable", "Indoor", "Outdoor", "Office",
    "Living Room", "Bedroom", "Bathroom", "Nursery", "Patio", "Balcony", "Entryway",
    "Dining Room", "Home Office", "Studio", "Cabin", "Camping", "Hiking", "Beach", "Picnic",
    "Yoga", "Fitness", "Travel", "Commute", "Storage", "Organization", "Decor", "Lighting",
    "Cozy", "Hygge", "Housewares", "Tableware", "Cookware", "Barware", "Drinkware",
    "Glassware", "Serveware", "Bakeware", "Coffee Lover", "Tea Lover", "Wine Lover",
    "Book Lover", "Plant Lover", "Dog Lover", "Cat Lover", "Bird Lover", "Retro Gaming",
    "Vinyl", "Analog", "Stationery Lover", "Calligraphy", "Journaling", "Knitting", "Sewing",
    "Woodworking", "Pottery", "Weaving", "Embroidery", "Macrame", "Quilting", "Leathercraft",
    "Hand-Thrown", "Hand-Stitched", "Hand-Dyed", "Block Printed", "Screen Printed",
    "Engraved", "Embossed", "Monogram", "Heirloom", "Collectible", "Antique", "Mid-Size",
    "Large", "Small", "Extra Large", "Miniature", "Kids Room", "Teen Room", "Unisex",
    "Spa Day", "Self Care", "Aromatherapy", "Sleep", "Meditation", "Work From Home",
    "Student", "Gamer", "Audiophile", "Smart Home", "Tech Gift", "Stocking Stuffer",
    "Secret Santa", "Under 20", "Under 50", "Under 100", "Statement Piece", "Conversation Piece",
    "Artisan", "Designer", "Heritage", "Nautical", "Tropical", "Alpine", "Urban", "Tiny Home",
    "Van Life", "Festival", "Party", "Eco", "Gallery Wall", "Staff Pick",
]
# fmt: on


# fmt: off
# What fits each kind of product: its materials (a desk is walnut or oak, not cashmere) and the
# tags shoppers browse it by, most fitting first (a desk: Furniture, Office, Walnut).
CATEGORY_MATERIALS: dict[str, list[str]] = {
    "Kitchen": ["Ceramic", "Stoneware", "Porcelain", "Stainless Steel", "Cast Iron", "Copper",
                "Enamel", "Glass", "Bamboo", "Acacia", "Walnut", "Oak", "Marble", "Silicone"],
    "Home Decor": ["Ceramic", "Glass", "Brass", "Rattan", "Wicker", "Terracotta", "Marble",
                   "Walnut", "Oak", "Linen", "Cotton", "Jute", "Resin", "Porcelain", "Crystal"],
    "Lighting": ["Brass", "Copper", "Glass", "Rattan", "Bamboo", "Steel", "Ceramic", "Linen",
                 "Walnut", "Oak", "Aluminium", "Concrete", "Paper"],
    "Furniture": ["Walnut", "Oak", "Maple", "Cherry", "Teak", "Pine", "Birch", "Acacia",
                  "Bamboo", "Rattan", "Steel", "Velvet", "Leather", "Marble"],
    "Textiles": ["Cotton", "Linen", "Wool", "Merino", "Cashmere", "Velvet", "Silk", "Jute",
                 "Hemp", "Felt", "Denim"],
    "Clothing": ["Cotton", "Linen", "Wool", "Merino", "Cashmere", "Silk", "Denim", "Leather",
                 "Suede", "Velvet", "Hemp", "Canvas"],
    "Accessories": ["Leather", "Suede", "Canvas", "Silver", "Gold", "Brass", "Denim", "Cotton",
                    "Cork", "Felt", "Recycled Plastic"],
    "Stationery": ["Paper", "Leather", "Brass", "Walnut", "Cork", "Felt", "Steel", "Bamboo",
                   "Canvas"],
    "Garden": ["Steel", "Cast Iron", "Terracotta", "Teak", "Acacia", "Pine", "Wicker", "Rattan",
               "Concrete", "Copper", "Recycled Plastic"],
    "Toys": ["Pine", "Birch", "Maple", "Beech", "Felt", "Cotton", "Wool", "Recycled Plastic",
             "Paper", "Bamboo"],
    "Sports": ["Aluminium", "Steel", "Canvas", "Recycled Plastic", "Silicone", "Cork",
               "Cotton", "Leather", "Bamboo"],
    "Electronics": ["Aluminium", "Walnut", "Bamboo", "Recycled Plastic", "Steel", "Glass",
                    "Oak", "Silicone"],
    "Bath": ["Bamboo", "Ceramic", "Marble", "Cotton", "Linen", "Teak", "Glass", "Stoneware",
             "Brass"],
    "Pets": ["Cotton", "Felt", "Wool", "Leather", "Rattan", "Wicker", "Recycled Plastic",
             "Ceramic", "Canvas"],
}
CATEGORY_TAGS: dict[str, list[str]] = {
    "Kitchen": ["Cookware", "For Cooks", "Tableware", "Dishwasher Safe", "Food Safe",
                "Coffee Lover", "Tea Lover", "Serveware", "Bakeware", "Housewarming"],
    "Home Decor": ["Decor", "Living Room", "Gallery Wall", "Statement Piece", "Housewarming",
                   "Entryway", "Bedroom", "Indoor", "Conversation Piece"],
    "Lighting": ["Lighting", "Living Room", "Bedroom", "Home Office", "Indoor", "Outdoor",
                 "Rechargeable", "Cozy"],
    "Furniture": ["Living Room", "Office", "Home Office", "Bedroom", "Dining Room", "Storage",
                  "Work From Home", "Ergonomic", "Kids Room"],
    "Textiles": ["Bedroom", "Bathroom", "Cozy", "Machine Washable", "Hygge", "Sleep",
                 "Dining Room"],
    "Clothing": ["For Her", "For Him", "Winter", "Summer", "Unisex", "Machine Washable",
                 "Hand Wash Only", "Travel", "For Runners"],
    "Accessories": ["For Her", "For Him", "Travel", "Commute", "Unisex", "Personalized",
                    "Gift Idea", "Waterproof"],
    "Stationery": ["Stationery Lover", "Journaling", "Office", "Home Office", "Student",
                   "Back to School", "Calligraphy", "For Artists"],
    "Garden": ["Outdoor", "Patio", "Balcony", "For Gardeners", "Plant Lover", "Summer",
               "Weatherproof"],
    "Toys": ["For Kids", "For Babies", "Kids Room", "Nursery", "Non-Toxic", "Birthday",
             "Christmas"],
    "Sports": ["Fitness", "Yoga", "Camping", "Hiking", "Outdoor", "For Runners",
               "For Campers", "Travel"],
    "Electronics": ["Wireless", "Rechargeable", "Smart Home", "Tech Gift", "Home Office",
                    "Audiophile", "Gamer", "Work From Home"],
    "Bath": ["Bathroom", "Spa Day", "Self Care", "Aromatherapy", "Hypoallergenic", "Vegan"],
    "Pets": ["For Pets", "Dog Lover", "Cat Lover", "Bird Lover", "Machine Washable"],
}
# Tags any product may carry, most common first (their popularity is a long tail).
GENERIC_TAGS: list[str] = [
    "Gift Idea", "Best Seller", "Handmade", "New Arrival", "Sustainable", "Small Batch",
    "Ready to Ship", "Free Shipping", "On Sale", "Limited Edition", "Locally Made",
    "Staff Pick", "Made to Order", "One of a Kind", "Heirloom", "Fair Trade",
]
# Who a product of these kinds may be for, in its name ("Women's Wool Boots").
CATEGORY_AUDIENCES: dict[str, list[str]] = {
    "Clothing": ["Women's", "Men's", "Children's", "Kids'"],
    "Sports": ["Women's", "Men's", "Children's"],
    "Toys": ["Children's", "Baby's"],
    "Furniture": ["Children's"],
}
# English plurals the seed writes in names ("Copper Kettles Set"); the rest add -s or -es.
IRREGULAR_PLURALS: dict[str, str] = {
    "Knife": "Knives", "Mouse": "Mice", "Shelf": "Shelves", "Leaf": "Leaves",
    "Dish": "Dishes", "Box": "Boxes", "Brush": "Brushes", "Glass": "Glasses",
}
# Named as shoppers of issue 19 tried them: the demo catalog always has one of each.
SHOWCASE: list[tuple[str, str]] = [
    ("Kitchen", "Crème Brûlée Torch"), ("Sports", "Running Shoes"),
    ("Toys", "Children's Bicycle"), ("Clothing", "Women's Boots"),
    ("Furniture", "Television Stand"), ("Kitchen", "Copper Kettles Set"),
]
# Synonym rules a demo install starts with (`seed_catalog --demo-synonyms`; operators manage
# them with `manage.py search_synonyms`).
DEMO_SYNONYMS: list[str] = [
    "tv, television", "couch, sofa", "pants, trousers", "jumper, sweater",
    "comforter cover, duvet cover", "earphones, earbuds", "trainers, sneakers",
    "bedside table, nightstand", "sweatshirt, hoodie", "carpet, rug", "pyjamas, pajamas",
    "laptop => notebook",
]
# The kinds sold as sets of several ("Rustic Copper Kettles Set").
SET_CATEGORIES = ("Kitchen", "Home Decor", "Textiles", "Stationery", "Bath")
# fmt: on


def plural(noun: str) -> str:
    """The plural of a seed noun's last word: "Chef Knife" -> "Chef Knives"."""
    *head, last = noun.split(" ")
    if last in IRREGULAR_PLURALS:
        last = IRREGULAR_PLURALS[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "s"
    return " ".join([*head, last])


def tag_vocabulary() -> list[str]:
    """~300 distinct tag names (distinct case-insensitively), in a fixed order."""
    seen: set[str] = set()
    names: list[str] = []
    category_tags = [tag for tags in CATEGORY_TAGS.values() for tag in tags]
    for name in [*CATEGORIES, *MATERIALS, *COLORS, *EXTRA_TAGS, *category_tags, *GENERIC_TAGS]:
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


# fmt: off
DESCRIPTION_OPENERS: list[str] = [
    "This {adj} {noun} is made of {material} and built to last.",
    "Meet the {name}: {a_adj_l} {noun_l} in {material_l} for everyday use.",
    "Our {noun_l} in {material_l} brings {a_adj_l} touch to any {room}.",
    "{A_adj_l} take on the classic {noun_l}, crafted from {material_l}.",
    "Crafted in {material_l}, this {noun_l} pairs {adj_l} looks with honest function.",
]
DESCRIPTION_MIDDLES: list[str] = [
    "Each piece is finished by hand, so small variations make every one unique.",
    "It is easy to clean and ships in plastic-free packaging.",
    "The {color_l} finish works with both modern and traditional interiors.",
    "Designed in a small studio and tested in real homes for months.",
    "It makes a thoughtful gift for {audience}.",
    "Sized to fit small apartments without giving up comfort.",
    "The {material_l} ages beautifully and develops a rich patina over time.",
    "Pair it with other pieces from our {category_l} collection.",
    "Every order supports independent makers in our community.",
    "Available while stocks last: we make them in small batches.",
]
DESCRIPTION_CLOSERS: list[str] = [
    "Dimensions and care instructions are in the photos.",
    "Questions? Message the seller, we answer within a day.",
    "Ships within two business days.",
    "Returns are accepted within 30 days.",
    "",
]
ROOMS: list[str] = [
    "kitchen", "living room", "bedroom", "office", "hallway", "studio", "patio", "cabin",
]
AUDIENCES: list[str] = [
    "new homeowners", "coffee lovers", "busy parents", "students", "gardeners", "travelers",
    "book lovers", "anyone who likes good design", "cooks", "friends and family",
]
# fmt: on
