// French text pools.
#include "tools/loadgen/phrases.h"

namespace kilter::loadgen {
namespace {
constexpr Line kFrPersonal[] = {
    {"Grasse matinée ce {day} : crêpes, café et dessins animés avec les enfants 🥞"},
    {"Balade au bord de la mer avec le chien au lever du soleil. Il a couru après chaque mouette "
     "🐕"},
    {"Joyeux anniversaire à mon petit frère {name} ! Toujours plus grand que moi, toujours aussi "
     "taquin 🎂"},
    {"Enfin testé la petite crêperie de {city} dont tout le monde parle. Un régal 😋"},
    {"{num} km de course à pied cette semaine, mon record personnel. Mes genoux protestent 🏃"},
    {"Les jumeaux ont commencé la natation aujourd'hui. Beaucoup d'éclaboussures, peu de brasse 😂"},
    {"Dîner en famille chez mes parents ce soir. Le gratin de ma mère reste imbattable."},
    {"Programme du week-end : rien du tout. Canapé, plaid, un bon livre et peut-être une sieste."},
    {"Le chat a encore renversé mon café. Nous ne nous parlons plus 🐈"},
    {"Après-midi pâtisserie avec ma fille : des madeleines partout et de la farine jusqu'au "
     "plafond."},
    {"Retour d'une belle randonnée entre amis dans les Alpes. Jambes lourdes, cœur léger "
     "⛰️"},
    {"Dîner d'anniversaire de mariage ce soir. Douze ans et elle me vole toujours mes frites "
     "❤️"},
    {"Soirée film à la maison : popcorn, pyjama et un film d'horreur choisi par mon fils. J'ai eu "
     "très peur."},
    {"Premier ski depuis dix ans. Je suis tombé onze fois, les enfants ont compté."},
    {"Je me suis mis à l'aquarelle. Le résultat ressemble à une pomme de terre mouillée, mais quel "
     "plaisir 🎨"},
    {"L'été me manque déjà. Ce {day}, ce sera soupe maison et pluie contre les vitres."},
    {"Le potager nous a offert trois fraises. Les enfants les ont mangées avant la photo 🍓"},
    {"Café avec mon amie d'enfance {name} aujourd'hui. Vingt ans d'amitié et toujours autant de "
     "choses à se dire."},
    {"Un peu malade, je reste au lit avec une tisane et une pile de romans aujourd'hui."},
    {"Mon fils a perdu sa première dent au petit-déjeuner et négocie déjà avec la petite souris "
     "🦷"},
    {"Week-end en famille sur la route des vacances. Chansons chantées faux : toutes 🚗"},
    {"Yoga au lever du soleil puis longue balade le long de la rivière. Le {day} parfait 🧘"},
    {"J'ai cuisiné la soupe de ma grand-mère ce soir et toute la maison sent mon enfance."},
    {"Mon premier marathon est bouclé ! Je ne sens plus mes jambes mais je suis tellement heureux "
     "🏅"},
    {"Qui d'autre rêve déjà du week-end ? Canapé, pizza et zéro réveil pour moi 🍕"},
    {"Journée pluvieuse à {city} ce {day}. Chocolat chaud, plaid et ma playlist préférée ☔"},
};

constexpr Line kFrProfessional[] = {
    {"Nous publions nos résultats du {quarter} : chiffre d'affaires en hausse de {pct} %, porté "
     "par {product}.",
     LinkKind::press},
    {"Nous recrutons un(e) {role} pour rejoindre notre équipe de {city}. Le détail du poste :",
     LinkKind::careers},
    {"Échanges passionnants aujourd'hui à {event} sur l'avenir de notre secteur. Merci à tous les "
     "participants."},
    {"Fiers d'annoncer notre partenariat avec {mention} pour développer {product} en Europe."},
    {"Nouvelle version de {product} : recherche plus rapide, tableau de bord repensé et {num} "
     "corrections.",
     LinkKind::docs, kTech},
    {"Notre équipe technique explique comment nous avons réduit de {pct} % les temps de réponse de "
     "{product}.",
     LinkKind::blog, kTech},
    {"Bienvenue à {name}, qui rejoint {company} à la direction de la relation client."},
    {"Nouvelle étude {company} : {pct} % des PME prévoient d'augmenter leur budget numérique l'an "
     "prochain.",
     LinkKind::blog, kTech},
    {"J'interviendrai à {event} à {city} la semaine prochaine sur la résilience des chaînes "
     "d'approvisionnement."},
    {"Notre rapport RSE est en ligne : consommation d'énergie par unité produite en baisse de "
     "{pct} % sur un an.",
     LinkKind::press},
    {"Information service : {product} pourra être ralenti ce soir pendant une opération de "
     "maintenance. Nous vous tiendrons informés.",
     LinkKind::none, kTech},
    {"{company} ouvre aujourd'hui un nouveau site à {city} avec {num} collaborateurs."},
    {"Séminaire de direction terminé. Nos priorités pour l'an prochain : fiabilité, accompagnement "
     "des clients et réseau de partenaires."},
    {"Merci aux {num} clients qui ont répondu à notre enquête. Vos retours orientent la feuille de "
     "route de {product}."},
    {"Bravo à l'équipe du service client qui a ramené le délai de réponse moyen sous les deux "
     "heures ce trimestre."},
    {"Notre article sur la prévision de la demande a été accepté dans une conférence "
     "internationale. Félicitations à l'équipe recherche !",
     LinkKind::blog, kTech},
    {"Analyse intéressante du marché de la logistique à {city} cette semaine. Nos propres données "
     "confirment le ralentissement."},
    {"Accord signé avec la ville de {city} pour expérimenter {product} dans les services publics.",
     LinkKind::press, kTech},
    {"Les candidatures pour nos stages de l'été prochain sont ouvertes : ingénierie, finance et "
     "design.",
     LinkKind::careers},
    {"Dix ans de management m'ont appris trois choses : tout écrire, recruter lentement et "
     "partager les chiffres avec tous."},
    {"{product} obtient la certification ISO 27001. Une étape importante pour notre équipe "
     "sécurité.",
     LinkKind::none, kTech},
    {"La migration de {product} vers nos nouveaux centres de données est terminée, sans "
     "interruption de service.",
     LinkKind::blog, kTech},
    {"Notre directeur financier présentera les chiffres du {quarter} et nos perspectives lors de "
     "la conférence investisseurs de {day}.",
     LinkKind::press},
    {"Retour sur la table ronde de {event} : interopérabilité et standards ouverts d'abord, selon "
     "tous les acteurs du secteur."},
    {"Notre atelier de {city} emploie désormais {num} personnes, contre douze il y a trois ans.",
     LinkKind::none, kConsumer},
    {"Toutes nos livraisons à {city} passent en véhicules électriques : {pct} % d'émissions en "
     "moins.",
     LinkKind::press, kConsumer},
    {"Rencontre avec nos producteurs cette semaine pour préparer ensemble la prochaine "
     "récolte. Les partenariats durables comptent.",
     LinkKind::none, kConsumer},
    {"Nos équipes en magasin ont suivi une semaine de formation à l'accueil et à l'accessibilité.",
     LinkKind::none, kConsumer},
};

constexpr Line kFrSupport[] = {
    {"Bonjour, désolés pour ce retard. Pouvez-vous nous envoyer votre numéro de commande en "
     "message privé ?"},
    {"Merci pour votre signalement. Le problème de synchronisation de {product} est corrigé dans "
     "la mise à jour du jour.",
     LinkKind::none, kTech},
    {"Bonjour, notre service client traite votre demande et vous répondra dans la journée."},
    {"Bonjour, la procédure pour modifier l'adresse de livraison est détaillée dans notre guide :",
     LinkKind::docs},
};

constexpr Line kFrPromotional[] = {
    {"Soldes d'hiver ! -{off} % sur toute la gamme {product} cette semaine seulement. Foncez :",
     LinkKind::shop},
    {"Code {code} : -{off} % sur votre prochaine commande, valable jusqu'à {day} minuit !"},
    {"Livraison OFFERTE sur toutes les commandes ce week-end, sans minimum d'achat 🚚",
     LinkKind::shop},
    {"CONCOURS 🎁 Abonnez-vous et identifiez un ami pour gagner un coffret {product}. Tirage au "
     "sort {day} !"},
    {"Vente flash ⚡ {product} à seulement {price} pendant 24 heures.", LinkKind::shop},
    {"2 achetés, le 3e offert sur toute la gamme {product}. Offre limitée !", LinkKind::shop},
    {"Dernière chance : nos offres Black Friday se terminent ce soir. Jusqu'à -{off} % sur tout le "
     "site 🔥",
     LinkKind::shop},
    {"Nouveaux clients : -{off} % sur votre première commande avec le code {code}."},
    {"Notre sélection de cadeaux de Noël est en ligne ! Idées à moins de {price}, emballage offert "
     "🎁",
     LinkKind::shop},
    {"Plus que quelques pièces en stock ! Commandez votre {product} avant la rupture.",
     LinkKind::shop},
    {"Abonnez-vous maintenant et profitez du premier mois gratuit. Sans engagement.",
     LinkKind::shop},
    {"Exclusivité membres : points fidélité doublés sur tous vos achats jusqu'à {day} !"},
    {"Prix en baisse 📉 {product} passe à {price}. Quantités limitées.", LinkKind::shop},
    {"Billets early-bird à -{off} % jusqu'à {day}. Réservez vite !", LinkKind::shop},
    {"Parrainez un ami et recevez chacun {price} de réduction 🙌"},
    {"Cyber Monday : -{off} % sur tous les abonnements annuels. Profitez-en aujourd'hui !",
     LinkKind::shop, kTech},
    {"JEU-CONCOURS 🎉 Partagez une photo avec votre {product} et tentez de gagner une carte cadeau "
     "de {price} !"},
    {"Précommandez {product} dès aujourd'hui et recevez une pochette offerte. Expédition le mois "
     "prochain.",
     LinkKind::shop},
    {"Faites-vous plaisir 🛍️ -{off} % sur tout avec le code {code}, aujourd'hui seulement."},
    {"Offre groupée : {product} et ses accessoires pour seulement {price}. Commandez maintenant, "
     "livraison gratuite.",
     LinkKind::shop},
    {"Dépêchez-vous, les soldes se terminent {day} ! Jusqu'à -{off} % sur nos best-sellers.",
     LinkKind::shop},
    {"Dès {price} d'achat, un cadeau offert avec votre commande 🎁", LinkKind::shop},
    {"Bon plan du jour : {product} à moitié prix. Achetez maintenant, dans la limite des stocks !",
     LinkKind::shop},
    {"La semaine du Black Friday commence : -{off} % sur la gamme {product}. Découvrez les offres "
     ":",
     LinkKind::shop},
};

constexpr std::string_view kFrPersonalClosers[] = {
    "Bon week-end à tous !", "😊",      "La vie est belle.",
    "Petits bonheurs.",      "❤️", "Merci la vie."};
constexpr std::string_view kFrProfessionalClosers[] = {
    "Fiers de nos équipes.", "Tous les détails dans le rapport.",
    "Merci à tous ceux qui ont contribué.", "On continue !"};
constexpr std::string_view kFrPromotionalClosers[] = {"Ne ratez pas ça !", "Foncez 👉",
                                                      "Dans la limite des stocks.",
                                                      "Offre valable quelques jours seulement !"};
constexpr std::string_view kFrPersonalTags[] = {"weekend", "famille", "dimanche", "vacances",
                                                "cuisine", "rando",   "cocooning"};
constexpr std::string_view kFrProfessionalTags[] = {
    "innovation", "recrutement", "rse", "industrie", "equipe", "recherche", "management"};
constexpr std::string_view kFrPromotionalTags[] = {"soldes",  "promo",       "concours",
                                                   "bonplan", "blackfriday", "noel"};
constexpr std::string_view kFrNames[] = {"Camille", "Julien", "Léa",  "Hugo",
                                         "Manon",   "Théo",   "Inès", "Nicolas"};
constexpr std::string_view kFrCities[] = {"Lyon",     "Nantes",    "Bordeaux", "Lille",
                                          "Toulouse", "Marseille", "Rennes",   "Strasbourg"};
constexpr std::string_view kFrDays[] = {"lundi",    "mardi",  "mercredi", "jeudi",
                                        "vendredi", "samedi", "dimanche"};
constexpr std::string_view kFrEvents[] = {"VivaTech", "Produrable", "France Digitale Day",
                                          "Big Bpifrance", "Global Industrie"};
constexpr std::string_view kFrQuarters[] = {"premier trimestre", "deuxième trimestre",
                                            "troisième trimestre", "quatrième trimestre"};
constexpr std::string_view kFrRoles[] = {"développeur backend", "chef de projet",
                                         "technicien de maintenance", "conseiller clientèle",
                                         "responsable logistique"};
constexpr std::string_view kFrPartners[] = {"groupe_delmas", "cooperative_alpine", "region_sud_eco",
                                            "lafabrique_fr"};
constexpr std::string_view kFrFriends[] = {"camille_rdn", "julien.b", "lea_cuisine", "hugo_velo"};
constexpr std::string_view kFrCodeWords[] = {"HIVER",     "NOEL", "MERCI",
                                             "BIENVENUE", "VIP",  "CADEAU"};

constexpr LangPools kFrPools = {
    {kFrPersonal, kFrProfessional, kFrPromotional},
    kFrSupport,
    {kFrPersonalClosers, kFrProfessionalClosers, kFrPromotionalClosers},
    {kFrPersonalTags, kFrProfessionalTags, kFrPromotionalTags},
    kFrNames,
    kFrCities,
    kFrDays,
    kFrEvents,
    kFrQuarters,
    kFrRoles,
    kFrPartners,
    kFrFriends,
    kFrCodeWords,
};

}  // namespace

const LangPools& fr_pools() {
  return kFrPools;
}

}  // namespace kilter::loadgen
