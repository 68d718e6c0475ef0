# Writes articles.jsonl (run from this folder): fictional outlets, people and places.
# Each article: (id, outlet, text, [(content, speaker or None, kind)]). Content is the span a
# journalist would print; speaker None = an unnamed source (the right answer is "no name").
"""Write articles.jsonl: the hand-written labelled quotes set (run from this folder)."""

import json
from pathlib import Path

A = []


def art(i, outlet, text, gold):
    A.append((i, outlet, text, gold))


art(
    "own01",
    "Harbour Gazette",
    'READ MORE: Ferry fares to rise in spring\nPort director Elena Vasquez said on Monday that the new terminal would open in June. "We are ahead of schedule," Vasquez said.',
    [
        ("the new terminal would open in June", "Elena Vasquez", "indirect"),
        ("We are ahead of schedule,", "Elena Vasquez", "direct"),
    ],
)
art(
    "own02",
    "Valley Courier",
    "A defense official said on condition of anonymity that the base would close next year. He said the decision had not been announced. Minister Tomas Reyes declined to comment.",
    [
        ("the base would close next year", None, "indirect"),
        ("the decision had not been announced", None, "indirect"),
    ],
)
art(
    "own03",
    "Northern Ledger",
    'Governor Ana Lindqvist praised the deal. "I will tell you that he is getting an A and our president is not doing so well," he said, adding that voters would decide.',
    [
        (
            "I will tell you that he is getting an A and our president is not doing so well,",
            None,
            "direct",
        ),
        ("voters would decide", None, "indirect"),
    ],
)
art(
    "own04",
    "Coastline Times",
    'Mayor Idris Kamau did not make it clear which districts he was referring to. "The budget is fixed," Kamau said.',
    [("The budget is fixed,", "Idris Kamau", "direct")],
)
art(
    "own05",
    "Ridge Post",
    'The aim is to "stop the flooding in the lower town," engineer Paula Brenner said. "To do that, we need new pumps and a second wall."',
    [
        ("stop the flooding in the lower town,", "Paula Brenner", "direct"),
        ("To do that, we need new pumps and a second wall.", "Paula Brenner", "direct"),
    ],
)
art(
    "own06",
    "Lakeside Herald",
    'WATCH: The storm hits the pier\nCouncillor Jonah Whitfield told reporters the pier would be rebuilt. "It is a sad day," he said.',
    [
        ("the pier would be rebuilt", "Jonah Whitfield", "indirect"),
        ("It is a sad day,", "Jonah Whitfield", "direct"),
    ],
)
art(
    "own07",
    "Prairie Standard",
    "ENERGY: Crude oil slipped on Tuesday as stocks rose.\nAnalyst Mira Okonkwo said prices would stay low through winter.",
    [("prices would stay low through winter", "Mira Okonkwo", "indirect")],
)
art(
    "own08",
    "Eastgate Observer",
    'Senator Rafael Ortiz spent the morning condemning rival parties and urging them to join the talks. "One giant assumption," Ortiz said of the plan.',
    [("One giant assumption,", "Rafael Ortiz", "direct")],
)
art(
    "own09",
    "Bay Chronicle",
    "The two ministers discussed what happens next in the valley. Interior minister Helga Brandt said the roads would reopen on Friday.",
    [("the roads would reopen on Friday", "Helga Brandt", "indirect")],
)
art(
    "own10",
    "Summit Daily",
    'Coach Ben Alder was asked whether the team would play. "I have to be careful," Alder said.',
    [("I have to be careful,", "Ben Alder", "direct")],
)
art(
    "own11",
    "Riverside Sentinel",
    "Norland and Estavia agreed to increase patrols on the border. A spokesman for the Norland army said the patrols would start at dawn.",
    [("the patrols would start at dawn", None, "indirect")],
)
art(
    "own12",
    "Granite Weekly",
    'Professor Lena Haugen, who studies tides, said the sea wall was too low. "It was built for another century," she said. "We need to act now."',
    [
        ("the sea wall was too low", "Lena Haugen", "indirect"),
        ("It was built for another century,", "Lena Haugen", "direct"),
        ("We need to act now.", "Lena Haugen", "direct"),
    ],
)
art(
    "own13",
    "Meadow Tribune",
    "RELATED: School lunches under review\nHead teacher Omar Falk said the menu would change. An analyst said parents were unconvinced. He said costs had doubled.",
    [
        ("the menu would change", "Omar Falk", "indirect"),
        ("parents were unconvinced", None, "indirect"),
        ("costs had doubled", None, "indirect"),
    ],
)
art(
    "own14",
    "Highland Voice",
    "According to the regional health office, 40 clinics will close. Director Sofia Marin said the closures were temporary.",
    [
        ("40 clinics will close", "regional health office", "indirect"),
        ("the closures were temporary", "Sofia Marin", "indirect"),
    ],
)
art(
    "own15",
    "Delta Record",
    '"We won\'t leave," said Teodor Grech, a fisherman. "This is our home and our fathers\' home."',
    [
        ("We won't leave,", "Teodor Grech", "direct"),
        ("This is our home and our fathers' home.", "Teodor Grech", "direct"),
    ],
)
art(
    "own16",
    "Canyon Review",
    "The council urged residents to save water. Chairwoman Priya Nandakumar said the reservoir was at its lowest level since 1990.",
    [("the reservoir was at its lowest level since 1990", "Priya Nandakumar", "indirect")],
)
art(
    "own17",
    "Fjord Bulletin",
    "Minister Karl Stenberg met trade envoy Aiko Tanaka on Monday. Stenberg said the two countries would sign a fishing pact (FPA) in May.",
    [("the two countries would sign a fishing pact (FPA) in May", "Karl Stenberg", "indirect")],
)
art(
    "own18",
    "Orchard Times",
    'BREAKING: Market closes early\nTrader Luis Ferreira said the halt was a precaution. "Nobody panicked," Ferreira said.',
    [
        ("the halt was a precaution", "Luis Ferreira", "indirect"),
        ("Nobody panicked,", "Luis Ferreira", "direct"),
    ],
)
art(
    "own19",
    "Moorland Echo",
    "Police chief Dana Holt never said the suspect was armed. She said officers had followed procedure.",
    [("officers had followed procedure", "Dana Holt", "indirect")],
)
art(
    "own20",
    "Isle Dispatch",
    "A government source said the ferry contract would be cancelled. Transport secretary Neil Abara did not respond. The source said talks had failed.",
    [
        ("the ferry contract would be cancelled", None, "indirect"),
        ("talks had failed", None, "indirect"),
    ],
)
art(
    "own21",
    "Pinewood Star",
    'Union leader Marta Kowal said: "We will strike on Monday." Her deputy, Ivo Petrov, said members were united.',
    [
        ("We will strike on Monday.", "Marta Kowal", "direct"),
        ("members were united", "Ivo Petrov", "indirect"),
    ],
)
art(
    "own22",
    "Saltmarsh News",
    "Farmers asked the ministry to lower fuel taxes. Farm union head Gerda Olsen said the harvest was the worst in a decade.",
    [("the harvest was the worst in a decade", "Gerda Olsen", "indirect")],
)
art(
    "own23",
    "Cliffside Journal",
    '"The bridge is safe," engineer Hamid Rostami said. "Cars can cross it today." Residents were not convinced.',
    [
        ("The bridge is safe,", "Hamid Rostami", "direct"),
        ("Cars can cross it today.", "Hamid Rostami", "direct"),
    ],
)
art(
    "own24",
    "Glen Advertiser",
    'LIVE: Election night\nCandidate Rosa Delgado told supporters she would accept the result. "Every vote counts," Delgado said.',
    [
        ("she would accept the result", "Rosa Delgado", "indirect"),
        ("Every vote counts,", "Rosa Delgado", "direct"),
    ],
)
art(
    "own25",
    "Tidewater Press",
    "President Arvid Lund spoke with Prime Minister Noor Hadid by phone. He said he would visit the capital in March.",
    [("he would visit the capital in March", "Arvid Lund", "indirect")],
)
art(
    "own26",
    "Upland Gazette",
    "The federation condemned the referee. Its president, Clara Moreau, said the match would be replayed.",
    [("the match would be replayed", "Clara Moreau", "indirect")],
)
art(
    "own27",
    "Marsh Herald",
    "Judge Peter Ilves said the trial would resume on Tuesday. An aide said the judge was unwell. She said he had a fever.",
    [
        ("the trial would resume on Tuesday", "Peter Ilves", "indirect"),
        ("the judge was unwell", None, "indirect"),
        ("he had a fever", None, "indirect"),
    ],
)
art(
    "own28",
    "Bridge Town Post",
    'Economist Yara Haddad warned that prices would keep rising. "Wages are not keeping up," she said.',
    [
        ("prices would keep rising", "Yara Haddad", "indirect"),
        ("Wages are not keeping up,", "Yara Haddad", "direct"),
    ],
)
art(
    "own29",
    "Westfield Courier",
    "SPORT: Rovers sign new striker\nManager Colm Brady said the striker would play on Saturday.",
    [("the striker would play on Saturday", "Colm Brady", "indirect")],
)
art(
    "own30",
    "Heath Observer",
    "Mayor Lotte Berg discussed a new tram line with the council. She said the first trams would run in 2030.",
    [("the first trams would run in 2030", "Lotte Berg", "indirect")],
)
art(
    "own31",
    "Cove Standard",
    'Doctor Amir Sayed said the clinic was full. "We turn people away every day," Sayed said, "and that hurts."',
    [
        ("the clinic was full", "Amir Sayed", "indirect"),
        ("We turn people away every day,", "Amir Sayed", "direct"),
        ("and that hurts.", "Amir Sayed", "direct"),
    ],
)
art(
    "own32",
    "Forest Ledger",
    'Ranger Elsa Nyberg told the Forest Ledger the fire was under control. "We were lucky with the wind," Nyberg said.',
    [
        ("the fire was under control", "Elsa Nyberg", "indirect"),
        ("We were lucky with the wind,", "Elsa Nyberg", "direct"),
    ],
)
art(
    "own33",
    "Stonebridge Daily",
    "Prosecutor Ines Duarte did not say whether charges would follow. A police spokeswoman said the investigation continued.",
    [("the investigation continued", None, "indirect")],
)
art(
    "own34",
    "Northport Review",
    "Fishermen and the coast guard agreed to share radio channels. Captain Rune Dahl said the deal would save lives.",
    [("the deal would save lives", "Rune Dahl", "indirect")],
)

with Path("articles.jsonl").open("w", encoding="utf-8") as f:
    for i, outlet, text, gold in A:
        quotes = []
        for content, speaker, kind in gold:
            start = text.find(content)
            assert start >= 0, (i, content)
            quotes.append(
                {
                    "text": content,
                    "start": start,
                    "end": start + len(content),
                    "speaker": speaker,
                    "kind": kind,
                }
            )
        f.write(
            json.dumps(
                {"id": i, "outlet": outlet, "text": text, "quotes": quotes}, ensure_ascii=False
            )
            + "\n"
        )
print(len(A), sum(len(g) for *_, g in A))
