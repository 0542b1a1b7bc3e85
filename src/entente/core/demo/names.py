"""Common French first and last names for the people of the demo territory."""

from __future__ import annotations

# Nobody is called Bernard (nor anything containing "bern"): the directory search "bern voi"
# must find the persona Bernard of the metropolis' Voirie service, and nobody else.

FEMALE_FIRST_NAMES = (
    "Anne", "Isabelle", "Nathalie", "Sylvie", "Catherine", "Valérie", "Christine", "Sandrine",
    "Véronique", "Céline", "Stéphanie", "Émilie", "Julie", "Aurélie", "Camille", "Laura",
    "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Marion", "Pauline", "Élodie",
    "Laetitia", "Hélène", "Florence", "Béatrice", "Martine", "Monique", "Françoise",
    "Brigitte", "Dominique", "Patricia", "Corinne", "Karine", "Virginie", "Audrey", "Caroline",
    "Mélanie", "Charlotte", "Lucie", "Justine", "Amandine", "Margaux", "Clémence", "Océane",
    "Alice", "Juliette", "Louise", "Jeanne", "Mathilde", "Anaïs", "Noémie", "Fatima",
    "Yasmina", "Nadia", "Samia", "Leïla", "Amina", "Myriam", "Sonia", "Linda", "Maëlle",
    "Gwenaëlle", "Solène", "Annie", "Odile", "Geneviève", "Élise", "Agathe", "Zoé", "Salomé",
    "Lina", "Nora", "Mireille", "Colette", "Josiane", "Estelle", "Delphine", "Fabienne",
    "Muriel", "Pascale", "Rose", "Thi Lan", "Awa", "Mariama",
)  # fmt: skip

MALE_FIRST_NAMES = (
    "Jean", "Pierre", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe",
    "Laurent", "Stéphane", "Frédéric", "Thierry", "Éric", "Olivier", "David", "Sébastien",
    "Julien", "Jérôme", "Guillaume", "Vincent", "François", "Thomas", "Antoine", "Alexandre",
    "Maxime", "Romain", "Benjamin", "Mathieu", "Damien", "Cédric", "Fabrice", "Franck",
    "Pascal", "Didier", "Gilles", "Bruno", "Yves", "Daniel", "Gérard", "Hervé", "Jacques",
    "Denis", "Serge", "Lucas", "Hugo", "Louis", "Théo", "Nathan", "Léo", "Enzo", "Paul",
    "Arthur", "Raphaël", "Gabriel", "Clément", "Quentin", "Kévin", "Florian", "Jonathan",
    "Anthony", "Mehdi", "Youssef", "Rachid", "Samir", "Nabil", "Farid", "Mohamed", "Ahmed",
    "Yann", "Erwan", "Loïc", "Gaëtan", "Rémi", "Baptiste", "Adrien", "Victor", "Jules", "Joël",
    "Régis", "Lionel", "Ludovic", "Xavier", "Emmanuel", "Benoît", "Arnaud", "Cyril",
    "Tristan", "Moussa", "Minh",
)  # fmt: skip

LAST_NAMES = (
    "Martin", "Petit", "Durand", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefebvre",
    "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont",
    "Lambert", "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier", "Blanc",
    "Guérin", "Boyer", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
    "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Masson",
    "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour",
    "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet",
    "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt",
    "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert",
    "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre",
    "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte",
    "Lopez", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis",
    "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer",
    "Klein", "Jacquet", "Adam", "Poirier", "Marty", "Aubry", "Guyot", "Carré", "Charles",
    "Renault", "Charpentier", "Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé",
    "Schneider", "Fernandez", "Le Gall", "Collet", "Léger", "Bouvier", "Julien", "Prévost",
    "Millet", "Perrot", "Daniel", "Le Roux", "Cousin", "Germain", "Breton", "Besson",
    "Langlois", "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré",
    "Lebrun", "Marchal", "Weber", "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier",
    "Michaud", "Rodriguez", "Guichard", "Gillet", "Étienne", "Grondin", "Poulain", "Tessier",
    "Chevallier", "Collin", "Chauvin", "Da Silva", "Bouchet", "Gay", "Lemaître", "Bénard",
    "Maréchal", "Humbert", "Reynaud", "Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier",
    "Pichon", "Lejeune", "Gilbert", "Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte",
    "Benali", "Nguyen", "Ferreira", "Rodrigues", "Mendes", "Diallo", "Traoré", "Mansour",
    "Khelifi", "Bouzid", "Ben Amor", "N'Diaye", "Tran", "Lopes", "Santos", "Rouquette",
    "Castagné", "Bousquet", "Cazals", "Vigneron", "Teyssier", "Salvat", "Azoulay", "Kaya",
    "Yilmaz", "Mercadier", "Espinasse", "Couderc", "Vernhes", "Fabié",
)  # fmt: skip
