// English text pools.
#include "tools/loadgen/phrases.h"

namespace kilter::loadgen {
namespace {
constexpr Line kEnPersonal[] = {
    {"Lazy {day} morning: pancakes, coffee and cartoons with the kids 🥞"},
    {"Took the dog to the beach at sunrise. She is now asleep on my feet and I can't move 🐕"},
    {"Happy birthday to my little brother {name}! Still taller than me, still annoying, still my "
     "favourite 🎂"},
    {"Finally tried that ramen place in {city} everyone keeps talking about. Worth the hour in "
     "line 🍜"},
    {"Ran {num} km this week, a personal best for me. My knees have filed a complaint 🏃"},
    {"Our twins started swimming lessons today. Lots of splashing, very little swimming 😂"},
    {"Family dinner at my parents' tonight. Mum still makes the best roast chicken on earth."},
    {"Weekend plans: absolutely nothing. Couch, blanket, a good book and maybe a nap."},
    {"The cat knocked my coffee off the table again. We are no longer on speaking terms 🐈"},
    {"Spent the afternoon baking cinnamon rolls with my daughter. The kitchen looks like a "
     "snowstorm."},
    {"Back from a long hike with friends. Sore legs, full heart ⛰️"},
    {"Anniversary dinner with my wife tonight. Twelve years and she still steals my fries ❤️"},
    {"Movie night at home: popcorn, pyjamas and a very scary film my son chose. I hid behind a "
     "cushion."},
    {"First time skiing in ten years. I fell eleven times. The kids kept count."},
    {"Took up watercolour painting as a hobby. My first try looks like a very wet potato, but I "
     "had fun 🎨"},
    {"Missing summer already. Homemade soup and rain on the windows this {day}."},
    {"Our garden finally gave us strawberries. Three of them. The kids ate them before I could "
     "take a photo 🍓"},
    {"Had coffee with my oldest friend {name} today. Twenty years of friendship and we still talk "
     "for hours."},
    {"Feeling a bit under the weather, staying in bed with tea and a pile of novels today."},
    {"My son lost his first tooth at breakfast and is already negotiating with the tooth fairy "
     "🦷"},
    {"Road trip with the family this weekend. Snacks: 40. Songs sung badly: all of them 🚗"},
    {"Yoga before sunrise, then a long walk by the river. Best way to start a {day} 🧘"},
    {"Cooked my grandmother's soup recipe tonight and the whole house smells like my childhood."},
    {"Guess who finished their first marathon today? Can't feel my legs but so happy 🏅"},
    {"Who else is already dreaming about the weekend? Sofa, pizza and zero alarms for me 🍕"},
    {"Rainy {day} in {city}. Hot chocolate, a blanket and my favourite playlist ☔"},
};

constexpr Line kEnProfessional[] = {
    {"We just published our {quarter} results: revenue grew {pct}% year over year, led by "
     "{product}.",
     LinkKind::press},
    {"We're hiring a {role} to join our team in {city}. Details and how to apply:",
     LinkKind::careers},
    {"Great conversations at {event} today about the future of our industry. Thanks to everyone "
     "who came to our session."},
    {"Proud to announce a new partnership with {mention} to bring {product} to more customers "
     "across Europe."},
    {"Release notes for {product}: faster search, a redesigned dashboard and {num} bug fixes.",
     LinkKind::docs, kTech},
    {"Our engineering team explains how we cut {product} response times by {pct}%.", LinkKind::blog,
     kTech},
    {"Welcome to {name}, who joins {company} as our new head of customer success."},
    {"New research from {company}: {pct}% of mid-size firms plan to increase their data budgets "
     "next year.",
     LinkKind::blog, kTech},
    {"I'll be speaking at {event} in {city} next week on building resilient supply chains. Looking "
     "forward to the discussion."},
    {"Our annual impact report is out: energy use per unit down {pct}% since last year.",
     LinkKind::press},
    {"Service notice: {product} may be slower for some users tonight while we upgrade our servers. "
     "Updates in this thread.",
     LinkKind::none, kTech},
    {"Today {company} opened a new office in {city} with {num} engineers and support staff."},
    {"Quarterly planning is done. Our priorities for next year: reliability, customer onboarding "
     "and our partner network."},
    {"Thank you to the {num} customers who answered our product survey. Your feedback shapes the "
     "{product} roadmap."},
    {"Congratulations to our support team for cutting the average response time to under two hours "
     "this quarter."},
    {"Our paper on forecasting demand with sparse data was accepted at an international "
     "conference. Congrats to the research team!",
     LinkKind::blog, kTech},
    {"Interesting analysis of the logistics market in {city} this week. Our own shipment data "
     "points to the same slowdown."},
    {"Signed an agreement with the city of {city} to pilot {product} in its public services.",
     LinkKind::press, kTech},
    {"Internship applications for next summer are open: engineering, finance and design.",
     LinkKind::careers},
    {"Key lessons from ten years of leading teams: write things down, hire slowly and share the "
     "numbers with everyone."},
    {"{product} is now ISO 27001 certified. A big milestone for our security team.", LinkKind::none,
     kTech},
    {"We completed the migration of {product} to our new data centres with zero downtime.",
     LinkKind::blog, kTech},
    {"Our CFO will present the {quarter} figures and our outlook at the investor conference on "
     "{day}.",
     LinkKind::press},
    {"Panel recap from {event}: the industry agrees that interoperability and open standards come "
     "first."},
    {"Our {city} workshop now employs {num} people, up from twelve three years ago.",
     LinkKind::none, kConsumer},
    {"All our deliveries in {city} now use electric vans, cutting delivery emissions by {pct}%.",
     LinkKind::press, kConsumer},
    {"Met our growers this week to plan next year's harvest together. Long-term "
     "partnerships matter.",
     LinkKind::none, kConsumer},
    {"Our store teams completed a week of training on accessibility and customer service.",
     LinkKind::none, kConsumer},
};

constexpr Line kEnSupport[] = {
    {"Hi, sorry to hear about the delay. Could you send us your order number by DM so our team can "
     "check it?"},
    {"Thanks for reporting this. The sync issue in {product} is fixed in today's update.",
     LinkKind::none, kTech},
    {"Hello, our support team is looking into your ticket and will get back to you within the "
     "day."},
    {"Hi, you can change your delivery address from your account settings. Step-by-step guide "
     "here:",
     LinkKind::docs},
};

constexpr Line kEnPromotional[] = {
    {"Winter sale! {off}% off the whole {product} range this week only. Shop now:", LinkKind::shop},
    {"Use code {code} for {off}% off your next order. Valid until {day} midnight!"},
    {"FREE shipping on every order this weekend, no minimum. Don't miss it 🚚", LinkKind::shop},
    {"GIVEAWAY 🎁 Follow us and tag a friend to win a {product} bundle. Winner announced {day}!"},
    {"Flash sale ⚡ {product} now only {price} for the next 24 hours.", LinkKind::shop},
    {"Buy 2, get 1 free on the whole {product} range. Limited time offer!", LinkKind::shop},
    {"Last chance: our Black Friday deals end tonight. Up to {off}% off sitewide 🔥",
     LinkKind::shop},
    {"New customers get {off}% off their first purchase with code {code}."},
    {"Our holiday gift guide is live! Gifts under {price} and free gift wrap on every order 🎁",
     LinkKind::shop},
    {"Only a few left in stock! Grab your {product} before they're gone.", LinkKind::shop},
    {"Subscribe now and get your first month free. Cancel anytime.", LinkKind::shop},
    {"Members' exclusive: double points on every purchase until {day}. Shop and save!"},
    {"Price drop 📉 {product} is now {price}. Limited quantities.", LinkKind::shop},
    {"Early-bird tickets are {off}% cheaper until {day}. Book now!", LinkKind::shop},
    {"Refer a friend and you both get {price} off your next order 🙌"},
    {"Cyber Monday: {off}% off all annual plans. Upgrade today!", LinkKind::shop, kTech},
    {"CONTEST 🎉 Share a photo with your {product} for a chance to win a {price} gift card!"},
    {"Pre-order {product} today and get a free carry case. Ships next month.", LinkKind::shop},
    {"Treat yourself 🛍️ {off}% off everything with code {code}, today only."},
    {"Bundle deal: {product} plus accessories for just {price}. Order now, free delivery.",
     LinkKind::shop},
    {"Hurry, the sale ends {day}! Save up to {off}% on our best-sellers.", LinkKind::shop},
    {"Spend {price} or more and get a free gift with your order 🎁", LinkKind::shop},
    {"Deal of the day: {product} at half price. Buy now while stocks last!", LinkKind::shop},
    {"Black Friday week starts now: save {off}% on {product}. Shop the deals:", LinkKind::shop},
};

constexpr std::string_view kEnPersonalClosers[] = {
    "Have a lovely weekend everyone!", "😊", "Life is good.", "Small joys.", "❤️", "Grateful."};
constexpr std::string_view kEnProfessionalClosers[] = {"Proud of the team.",
                                                       "More details in the report.",
                                                       "Thanks to everyone involved.", "Onwards."};
constexpr std::string_view kEnPromotionalClosers[] = {"Don't miss out!", "Shop now 👉",
                                                      "While stocks last.", "Offer ends soon!"};
constexpr std::string_view kEnPersonalTags[] = {"weekend", "family", "sundayvibes", "foodie",
                                                "running", "dogs",   "cozy"};
constexpr std::string_view kEnProfessionalTags[] = {
    "innovation", "leadership", "hiring", "sustainability", "engineering", "research", "teamwork"};
constexpr std::string_view kEnPromotionalTags[] = {"sale",        "deal",    "giveaway",
                                                   "blackfriday", "shopnow", "promo"};
constexpr std::string_view kEnNames[] = {"Tom", "Sophie", "Jake",  "Olivia",
                                         "Sam", "Priya",  "Lucas", "Hannah"};
constexpr std::string_view kEnCities[] = {"London", "Chicago",    "Dublin", "Toronto",
                                          "Austin", "Manchester", "Boston", "Berlin"};
constexpr std::string_view kEnDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
constexpr std::string_view kEnEvents[] = {
    "Web Summit", "the Retail Tech Forum", "the Future of Work conference",
    "the Supply Chain Summit", "the European Innovation Days"};
constexpr std::string_view kEnQuarters[] = {"Q1", "Q2", "Q3", "Q4"};
constexpr std::string_view kEnRoles[] = {"senior data engineer", "product designer",
                                         "account manager", "customer support specialist",
                                         "warehouse team lead"};
constexpr std::string_view kEnPartners[] = {"northwind_partners", "cloudworks", "greenfleet_eu",
                                            "openlogistics"};
constexpr std::string_view kEnFriends[] = {"tom_runs", "sophie_b", "jake.m", "liv_outdoors"};
constexpr std::string_view kEnCodeWords[] = {"SAVE", "WINTER",  "HELLO",
                                             "VIP",  "FRIENDS", "HOLIDAY"};

constexpr LangPools kEnPools = {
    {kEnPersonal, kEnProfessional, kEnPromotional},
    kEnSupport,
    {kEnPersonalClosers, kEnProfessionalClosers, kEnPromotionalClosers},
    {kEnPersonalTags, kEnProfessionalTags, kEnPromotionalTags},
    kEnNames,
    kEnCities,
    kEnDays,
    kEnEvents,
    kEnQuarters,
    kEnRoles,
    kEnPartners,
    kEnFriends,
    kEnCodeWords,
};

}  // namespace

const LangPools& en_pools() {
  return kEnPools;
}

}  // namespace kilter::loadgen
