#include "tools/loadgen/demo_cast.h"

#include <utility>

namespace kilter::loadgen {
namespace {

constexpr std::array<double, 3> kBrandMix = {0, 0.78, 0.22};
constexpr std::array<double, 3> kVoiceMix = {0.35, 0.6, 0.05};

Persona brand(std::string id, std::string company, std::string domain,
              std::vector<std::string> products, Lang lang, std::uint8_t sector,
              double other_lang = 0) {
  return Persona{std::move(id),
                 std::move(company),
                 std::move(domain),
                 std::move(products),
                 lang,
                 other_lang,
                 sector,
                 false};
}

// A person speaking for a company: the company's vocabulary, their own account.
Persona person(std::string id, const Persona& employer, Lang lang, double other_lang = 0) {
  Persona p = employer;
  p.id = std::move(id);
  p.lang = lang;
  p.other_lang = other_lang;
  p.person = true;
  return p;
}

DemoAccount healthy(Persona p, double followers, double reach, double posts_per_day) {
  DemoAccount a;
  bool person = p.person;
  a.persona = std::move(p);
  a.followers = followers;
  a.reach = reach;
  a.phases = {Phase{0, posts_per_day, person ? kVoiceMix : kBrandMix, 1.0}};
  if (person) {
    a.first_hour = 6;
    a.last_hour = 23;
  }
  return a;
}

}  // namespace

std::vector<DemoAccount> demo_cast() {
  const Persona acme = brand("acme", "Acme", "acme.example",
                             {"Acme Cloud", "Acme Sync", "Acme Analytics"}, Lang::en, kTech);
  const Persona globex = brand("globex", "Globex", "globex.example",
                               {"Globex Track", "Globex Fleet", "Globex Ship"}, Lang::en, kTech);
  const Persona initech = brand("initech", "Initech", "initech.example",
                                {"Initech Pulse", "Initech Aero", "Initech Dock"}, Lang::en, kTech);
  const Persona umbrella = brand(
      "umbrella-foods", "Umbrella Foods", "umbrellafoods.example",
      {"Umbrella granola", "Umbrella cold brew", "Umbrella protein bars"}, Lang::en, kConsumer);
  const Persona northwind =
      brand("northwind-travel", "Northwind Travel", "northwind.example",
            {"Northwind city breaks", "Northwind rail passes"}, Lang::en, kConsumer);
  const Persona stark =
      brand("stark-outdoor", "Stark Outdoor", "stark-outdoor.example",
            {"Stark trail jacket", "Stark 40L backpack", "Stark dome tent"}, Lang::en, kConsumer);
  const Persona lumiere =
      brand("lumiere-paris", "Lumière Paris", "lumiere.example",
            {"Sérum Lumière", "Crème Éclat", "Eau de Lumière"}, Lang::fr, kConsumer, 0.2);
  const Persona dupont =
      brand("boulangerie-dupont", "Boulangerie Dupont", "dupont.example",
            {"brioche Dupont", "panettone Dupont", "biscuits Dupont"}, Lang::fr, kConsumer);
  const Persona roche =
      brand("maison-roche", "Maison Roche", "maison-roche.example",
            {"fauteuil Roche", "table Solène", "lampe Aurore"}, Lang::fr, kConsumer);
  const Persona vega = brand("atelier-vega", "Atelier Vega", "atelier-vega.example",
                             {"veste Vega", "robe Lina", "sac Vega"}, Lang::fr, kConsumer, 0.15);
  const Persona port =
      brand("cafe-du-port", "Café du Port", "cafeduport.example",
            {"brunch du Port", "café de spécialité", "menu du midi"}, Lang::fr, kConsumer);

  std::vector<DemoAccount> cast;
  // Engagement per post collapses over the last two days (engagement_change).
  auto a = healthy(acme, 185'000, 0.004, 5);
  a.phases.push_back(Phase{4.5, 5, kBrandMix, 0.12});
  cast.push_back(std::move(a));

  // From Thursday noon the brand account turns into someone's personal feed
  // (personal_share over 7d well above 10%).
  a = healthy(globex, 92'000, 0.005, 4);
  a.phases.push_back(Phase{3.5, 4, {0.75, 0.2, 0.05}, 1.0});
  cast.push_back(std::move(a));

  // Saturday: a flood of ~50 posts in the day (posts over 1d > 30).
  a = healthy(initech, 240'000, 0.003, 3.5);
  a.phases.push_back(Phase{5, 50, kBrandMix, 1.0});
  a.phases.push_back(Phase{6, 3.5, kBrandMix, 1.0});
  a.first_hour = 6;
  a.last_hour = 23;
  cast.push_back(std::move(a));

  cast.push_back(healthy(umbrella, 61'000, 0.005, 3));
  cast.push_back(healthy(northwind, 134'000, 0.004, 3));
  cast.push_back(healthy(stark, 78'000, 0.006, 3));

  // Followers fall by ~15% between Friday noon and Saturday noon (follower_change).
  a = healthy(lumiere, 48'200, 0.006, 3);
  a.drop = 0.15;
  a.drop_from_day = 4.5;
  a.drop_to_day = 5.5;
  cast.push_back(std::move(a));

  // From Wednesday the bakery's feed becomes mostly offers (promotional_share > 40%).
  a = healthy(dupont, 12'400, 0.01, 3);
  a.phases.front().mix = {0, 0.7, 0.3};
  a.phases.push_back(Phase{2, 3.5, {0, 0.25, 0.75}, 1.0});
  cast.push_back(std::move(a));

  cast.push_back(healthy(roche, 33'500, 0.006, 2.5));
  cast.push_back(healthy(vega, 27'800, 0.007, 3));
  cast.push_back(healthy(port, 8'900, 0.012, 2.5));

  // A purely official executive: no personal posts at all (personal_share < 20%).
  a = healthy(person("exec-john-smith", acme, Lang::en), 21'000, 0.012, 3);
  a.phases.front().mix = {0, 0.93, 0.07};
  cast.push_back(std::move(a));

  cast.push_back(healthy(person("exec-sarah-chen", globex, Lang::en), 15'400, 0.015, 2.4));
  cast.push_back(healthy(person("exec-david-okafor", initech, Lang::en), 6'300, 0.02, 2.2));
  cast.push_back(healthy(person("exec-emma-wilson", stark, Lang::en), 38'000, 0.018, 2.6));
  cast.push_back(healthy(person("exec-marie-dubois", lumiere, Lang::fr, 0.25), 24'500, 0.014, 2.4));
  cast.push_back(healthy(person("exec-luc-bernard", roche, Lang::fr), 4'800, 0.02, 2.2));
  cast.push_back(healthy(person("exec-chloe-martin", vega, Lang::fr), 11'200, 0.016, 2.4));
  cast.push_back(healthy(person("exec-karim-haddad", dupont, Lang::fr), 3'900, 0.022, 2.2));
  cast.push_back(healthy(person("exec-paul-girard", port, Lang::fr), 2'700, 0.025, 2.2));
  return cast;
}

}  // namespace kilter::loadgen
